// XML-RPC (the specification at xmlrpc.com, plus the common <nil/> and <i8> extensions) as Robot
// Framework's Remote library speaks it: values are int/i4/i8, boolean, string (also untyped), double,
// dateTime.iso8601, base64, array, struct and nil; requests are methodCall, answers methodResponse with
// params or a fault. Parsing refuses DTDs and never resolves external entities.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;
using System.Xml.Linq;

namespace RenodeGic.Host.Robot
{
    /// <summary>An XML-RPC fault (as a server answers it, or as a client receives it).</summary>
    public sealed class XmlRpcFault : Exception
    {
        public XmlRpcFault(int code, string message)
            : base(message)
        {
            Code = code;
        }

        public int Code { get; }
    }

    public static class XmlRpc
    {
        public const int ParseError = -32700;
        public const int InvalidRequest = -32600;
        public const int MethodNotFound = -32601;
        public const int InvalidParams = -32602;
        public const int InternalError = -32603;

        public static string EncodeCall(string method, params object?[] parameters)
        {
            var doc = new XDocument(new XDeclaration("1.0", "utf-8", null),
                new XElement("methodCall",
                    new XElement("methodName", method),
                    new XElement("params", parameters.Select(p => new XElement("param", EncodeValue(p))))));
            return Serialize(doc);
        }

        public static string EncodeResponse(object? value)
        {
            var doc = new XDocument(new XDeclaration("1.0", "utf-8", null),
                new XElement("methodResponse", new XElement("params", new XElement("param", EncodeValue(value)))));
            return Serialize(doc);
        }

        public static string EncodeFault(int code, string message)
        {
            var fault = new Dictionary<string, object?> { ["faultCode"] = (long)code, ["faultString"] = message };
            var doc = new XDocument(new XDeclaration("1.0", "utf-8", null),
                new XElement("methodResponse", new XElement("fault", EncodeValue(fault))));
            return Serialize(doc);
        }

        private static string Serialize(XDocument doc)
        {
            var sb = new StringBuilder();
            using(var writer = XmlWriter.Create(new StringWriterUtf8(sb), new XmlWriterSettings { Encoding = new UTF8Encoding(false), Indent = false }))
            {
                doc.Save(writer);
            }
            return sb.ToString();
        }

        private sealed class StringWriterUtf8 : StringWriter
        {
            public StringWriterUtf8(StringBuilder sb)
                : base(sb, CultureInfo.InvariantCulture)
            {
            }

            public override Encoding Encoding => new UTF8Encoding(false);
        }

        /// <summary>A value element for a .NET value; integers outside 32 bits become strings (as Robot's Python remote servers do).</summary>
        public static XElement EncodeValue(object? value)
        {
            XElement inner = value switch
            {
                null => new XElement("nil"),
                bool b => new XElement("boolean", b ? "1" : "0"),
                int i => new XElement("int", i.ToString(CultureInfo.InvariantCulture)),
                long l when l >= int.MinValue && l <= int.MaxValue => new XElement("int", l.ToString(CultureInfo.InvariantCulture)),
                long l => new XElement("string", l.ToString(CultureInfo.InvariantCulture)),
                ulong u when u <= int.MaxValue => new XElement("int", u.ToString(CultureInfo.InvariantCulture)),
                ulong u => new XElement("string", u.ToString(CultureInfo.InvariantCulture)),
                uint or short or ushort or byte or sbyte => EncodeValue(Convert.ToInt64(value, CultureInfo.InvariantCulture)).Elements().First(),
                double d => new XElement("double", d.ToString("R", CultureInfo.InvariantCulture)),
                float f => new XElement("double", ((double)f).ToString("R", CultureInfo.InvariantCulture)),
                string s => new XElement("string", RobotOutput.Clean(s)),
                byte[] bytes => new XElement("base64", Convert.ToBase64String(bytes)),
                DateTime t => new XElement("dateTime.iso8601", t.ToString("yyyyMMdd'T'HH:mm:ss", CultureInfo.InvariantCulture)),
                IDictionary<string, object?> d => new XElement("struct", d.Select(kv => new XElement("member", new XElement("name", RobotOutput.Clean(kv.Key)), EncodeValue(kv.Value)))),
                System.Collections.IDictionary d => new XElement("struct", d.Keys.Cast<object>().Select(k => new XElement("member", new XElement("name", RobotOutput.Clean(Convert.ToString(k, CultureInfo.InvariantCulture))), EncodeValue(d[k])))),
                System.Collections.IEnumerable e => new XElement("array", new XElement("data", e.Cast<object?>().Select(EncodeValue))),
                _ => new XElement("string", RobotOutput.Clean(Convert.ToString(value, CultureInfo.InvariantCulture))),
            };
            return new XElement("value", inner);
        }

        private static XDocument Load(string xml)
        {
            var settings = new XmlReaderSettings
            {
                DtdProcessing = DtdProcessing.Prohibit,
                XmlResolver = null,
                MaxCharactersInDocument = 64 * 1024 * 1024,
            };
            try
            {
                using var reader = XmlReader.Create(new StringReader(xml), settings);
                return XDocument.Load(reader);
            }
            catch(XmlException e)
            {
                throw new XmlRpcFault(ParseError, $"malformed XML: {e.Message}");
            }
        }

        /// <summary>Parses a methodCall; throws XmlRpcFault for anything malformed.</summary>
        public static (string Method, List<object?> Params) DecodeCall(string xml)
        {
            var doc = Load(xml);
            var root = doc.Root;
            if(root == null || root.Name.LocalName != "methodCall")
            {
                throw new XmlRpcFault(InvalidRequest, "expected a <methodCall> document");
            }
            var name = root.Element("methodName")?.Value.Trim();
            if(string.IsNullOrEmpty(name))
            {
                throw new XmlRpcFault(InvalidRequest, "<methodCall> has no <methodName>");
            }
            var parameters = root.Element("params")?.Elements("param").Select(p => DecodeValue(p.Element("value") ?? throw new XmlRpcFault(InvalidRequest, "<param> without <value>"))).ToList()
                ?? new List<object?>();
            return (name, parameters);
        }

        /// <summary>Parses a methodResponse: returns the value, or throws XmlRpcFault for a fault.</summary>
        public static object? DecodeResponse(string xml)
        {
            var root = Load(xml).Root;
            if(root == null || root.Name.LocalName != "methodResponse")
            {
                throw new XmlRpcFault(InvalidRequest, "expected a <methodResponse> document");
            }
            var fault = root.Element("fault");
            if(fault != null)
            {
                var value = DecodeValue(fault.Element("value") ?? throw new XmlRpcFault(InvalidRequest, "<fault> without <value>")) as IDictionary<string, object?>;
                var code = value != null && value.TryGetValue("faultCode", out var c) && c is long l ? (int)l : 0;
                var text = value != null && value.TryGetValue("faultString", out var s) ? RobotValues.ToText(s) : "(no faultString)";
                throw new XmlRpcFault(code, text);
            }
            var param = root.Element("params")?.Element("param")?.Element("value") ?? throw new XmlRpcFault(InvalidRequest, "<methodResponse> has no <params><param><value>");
            return DecodeValue(param);
        }

        /// <summary>Decodes a &lt;value&gt; element into string, long, bool, double, DateTime, byte[], List or Dictionary (or null for nil).</summary>
        public static object? DecodeValue(XElement value)
        {
            if(value.Name.LocalName != "value")
            {
                throw new XmlRpcFault(InvalidRequest, $"expected <value>, found <{value.Name.LocalName}>");
            }
            var typed = value.Elements().FirstOrDefault();
            if(typed == null)
            {
                return value.Value; // untyped: a string
            }
            var text = typed.Value;
            switch(typed.Name.LocalName)
            {
            case "string":
                return text;
            case "int":
            case "i4":
            case "i8":
                return long.TryParse(text.Trim(), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)
                    ? l : throw new XmlRpcFault(InvalidParams, $"invalid <{typed.Name.LocalName}> '{text}'");
            case "boolean":
                return text.Trim() switch
                {
                    "1" or "true" => true,
                    "0" or "false" => false,
                    _ => throw new XmlRpcFault(InvalidParams, $"invalid <boolean> '{text}'"),
                };
            case "double":
                return double.TryParse(text.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var d)
                    ? d : throw new XmlRpcFault(InvalidParams, $"invalid <double> '{text}'");
            case "dateTime.iso8601":
                return DateTime.TryParseExact(text.Trim(), new[] { "yyyyMMdd'T'HH:mm:ss", "yyyy-MM-dd'T'HH:mm:ss", "yyyyMMdd'T'HHmmss" }, CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)
                    ? t : throw new XmlRpcFault(InvalidParams, $"invalid <dateTime.iso8601> '{text}'");
            case "base64":
                try
                {
                    return Convert.FromBase64String(text.Trim());
                }
                catch(FormatException)
                {
                    throw new XmlRpcFault(InvalidParams, "invalid <base64> data");
                }
            case "nil":
                return null;
            case "array":
                var data = typed.Element("data") ?? throw new XmlRpcFault(InvalidParams, "<array> without <data>");
                return data.Elements("value").Select(DecodeValue).ToList();
            case "struct":
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach(var member in typed.Elements("member"))
                {
                    var name = member.Element("name")?.Value ?? throw new XmlRpcFault(InvalidParams, "<member> without <name>");
                    dict[name] = DecodeValue(member.Element("value") ?? throw new XmlRpcFault(InvalidParams, "<member> without <value>"));
                }
                return dict;
            default:
                throw new XmlRpcFault(InvalidParams, $"unknown XML-RPC type <{typed.Name.LocalName}>");
            }
        }
    }
}
