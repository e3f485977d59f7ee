// Writes a run's results as Robot Framework's output.xml (the schema Robot Framework 6 writes, version 4:
// robot/suite/test/kw with status starttime/endtime, statistics and errors, which rebot reads) and as a
// JUnit-style xunit.xml (Robot's --xunit layout: nested testsuite elements, testcase with failure/skipped).
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Xml;

namespace RenodeGic.Host.Robot
{
    public static class RobotOutput
    {
        public const string Generator = "Robot 6.1.1 (RenodeGic in-process runner on .NET)";

        public static void WriteOutputXml(RunResult run, string path)
        {
            using var stream = File.Create(path);
            WriteOutputXml(run, stream);
        }

        public static void WriteOutputXml(RunResult run, Stream stream)
        {
            using var w = XmlWriter.Create(stream, Settings());
            w.WriteStartDocument();
            w.WriteStartElement("robot");
            w.WriteAttributeString("generator", Generator);
            w.WriteAttributeString("generated", Time(DateTime.Now));
            w.WriteAttributeString("rpa", "false");
            w.WriteAttributeString("schemaversion", "4");
            WriteSuite(w, run.Suite);
            w.WriteStartElement("statistics");
            w.WriteStartElement("total");
            WriteStat(w, run.Suite.AllTests.ToList(), "All Tests");
            w.WriteEndElement();
            w.WriteStartElement("tag");
            foreach(var tag in run.Suite.AllTests.SelectMany(t => t.Tags).Distinct(StringComparer.OrdinalIgnoreCase).OrderBy(t => t, StringComparer.OrdinalIgnoreCase))
            {
                WriteStat(w, run.Suite.AllTests.Where(t => t.Tags.Contains(tag, StringComparer.OrdinalIgnoreCase)).ToList(), tag);
            }
            w.WriteEndElement();
            w.WriteStartElement("suite");
            foreach(var suite in AllSuites(run.Suite))
            {
                WriteStat(w, suite.AllTests.ToList(), suite.LongName, suite.Id, suite.Name);
            }
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteStartElement("errors");
            foreach(var error in run.Errors)
            {
                WriteMessage(w, error);
            }
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }

        private static IEnumerable<SuiteResult> AllSuites(SuiteResult suite) => new[] { suite }.Concat(suite.Suites.SelectMany(AllSuites));

        private static XmlWriterSettings Settings() => new XmlWriterSettings
        {
            Encoding = new UTF8Encoding(false),
            Indent = true,
            IndentChars = "",
            NewLineChars = "\n",
        };

        /// <summary>Robot 6 timestamps: "20240131 12:34:56.789".</summary>
        public static string Time(DateTime t) => t.ToString("yyyyMMdd HH:mm:ss.fff", CultureInfo.InvariantCulture);

        /// <summary>Replaces characters XML 1.0 cannot hold (UART output may contain any byte).</summary>
        public static string Clean(string? text)
        {
            if(string.IsNullOrEmpty(text))
            {
                return "";
            }
            StringBuilder? sb = null;
            for(var i = 0; i < text.Length; i++)
            {
                var c = text[i];
                var ok = c == '\t' || c == '\n' || c == '\r' || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD);
                if(char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
                {
                    sb?.Append(c).Append(text[i + 1]);
                    i++;
                    continue;
                }
                if(!ok)
                {
                    sb ??= new StringBuilder(text, 0, i, text.Length);
                    sb.Append('\uFFFD');
                }
                else
                {
                    sb?.Append(c);
                }
            }
            return sb?.ToString() ?? text;
        }

        private static void Attr(XmlWriter w, string name, string? value)
        {
            if(value != null)
            {
                w.WriteAttributeString(name, Clean(value));
            }
        }

        private static void Element(XmlWriter w, string name, string? text)
        {
            w.WriteStartElement(name);
            w.WriteString(Clean(text));
            w.WriteEndElement();
        }

        private static void WriteStatus(XmlWriter w, string status, DateTime start, DateTime end, string? message = null)
        {
            w.WriteStartElement("status");
            w.WriteAttributeString("status", status);
            w.WriteAttributeString("starttime", Time(start));
            w.WriteAttributeString("endtime", Time(end));
            if(!string.IsNullOrEmpty(message))
            {
                w.WriteString(Clean(message));
            }
            w.WriteEndElement();
        }

        private static void WriteMessage(XmlWriter w, LogMessage m)
        {
            w.WriteStartElement("msg");
            w.WriteAttributeString("timestamp", Time(m.Time));
            w.WriteAttributeString("level", m.Level);
            w.WriteString(Clean(m.Text));
            w.WriteEndElement();
        }

        private static void WriteStat(XmlWriter w, List<TestResult> tests, string text, string? id = null, string? name = null)
        {
            w.WriteStartElement("stat");
            w.WriteAttributeString("pass", tests.Count(t => t.Status == Status.Pass).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("fail", tests.Count(t => t.Status == Status.Fail).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("skip", tests.Count(t => t.Status == Status.Skip).ToString(CultureInfo.InvariantCulture));
            Attr(w, "id", id);
            Attr(w, "name", name);
            w.WriteString(Clean(text));
            w.WriteEndElement();
        }

        private static void WriteSuite(XmlWriter w, SuiteResult suite)
        {
            w.WriteStartElement("suite");
            w.WriteAttributeString("id", suite.Id);
            Attr(w, "name", suite.Name);
            if(suite.Source.Length > 0)
            {
                Attr(w, "source", suite.Source);
            }
            if(suite.Setup != null)
            {
                WriteBody(w, suite.Setup);
            }
            foreach(var test in suite.Tests)
            {
                WriteTest(w, test);
            }
            foreach(var child in suite.Suites)
            {
                WriteSuite(w, child);
            }
            if(suite.Teardown != null)
            {
                WriteBody(w, suite.Teardown);
            }
            if(suite.Documentation.Length > 0)
            {
                Element(w, "doc", suite.Documentation);
            }
            var message = suite.Setup?.Status == Status.Fail ? "Suite setup failed:\n" + suite.Setup.FailureMessage
                : suite.Teardown?.Status == Status.Fail ? "Suite teardown failed:\n" + suite.Teardown.FailureMessage : null;
            WriteStatus(w, suite.Status, suite.Start, suite.End, message);
            w.WriteEndElement();
        }

        private static void WriteTest(XmlWriter w, TestResult test)
        {
            w.WriteStartElement("test");
            w.WriteAttributeString("id", test.Id);
            Attr(w, "name", test.Name);
            w.WriteAttributeString("line", test.Line.ToString(CultureInfo.InvariantCulture));
            foreach(var item in test.Body)
            {
                WriteBody(w, item);
            }
            if(test.Documentation.Length > 0)
            {
                Element(w, "doc", test.Documentation);
            }
            foreach(var tag in test.Tags)
            {
                Element(w, "tag", tag);
            }
            if(test.Timeout != null)
            {
                w.WriteStartElement("timeout");
                w.WriteAttributeString("value", test.Timeout);
                w.WriteEndElement();
            }
            WriteStatus(w, test.Status, test.Start, test.End, test.Message);
            w.WriteEndElement();
        }

        private static void WriteChildren(XmlWriter w, BodyResult item)
        {
            foreach(var child in item.Children)
            {
                WriteBody(w, child);
            }
        }

        private static void WriteBody(XmlWriter w, BodyResult item)
        {
            switch(item.Type)
            {
            case "MESSAGE":
                WriteMessage(w, item.Message!);
                return;
            case "KW":
            case "SETUP":
            case "TEARDOWN":
                w.WriteStartElement("kw");
                Attr(w, "name", item.Name);
                Attr(w, "library", item.Owner);
                if(item.Type != "KW")
                {
                    w.WriteAttributeString("type", item.Type);
                }
                foreach(var v in item.Assign)
                {
                    Element(w, "var", v.TrimEnd('=').TrimEnd());
                }
                foreach(var a in item.Args)
                {
                    Element(w, "arg", a);
                }
                if(item.Documentation.Length > 0)
                {
                    Element(w, "doc", item.Documentation);
                }
                WriteChildren(w, item);
                if(item.Status == Status.Fail && item.FailureMessage != null && !item.Children.Any(c => c.Status == Status.Fail))
                {
                    WriteMessage(w, new LogMessage(item.End, "FAIL", item.FailureMessage));
                }
                break;
            case "FOR":
                w.WriteStartElement("for");
                w.WriteAttributeString("flavor", item.Flavor ?? "IN");
                foreach(var v in item.Variables)
                {
                    Element(w, "var", v.Key);
                }
                foreach(var v in item.Values)
                {
                    Element(w, "value", v);
                }
                WriteChildren(w, item);
                break;
            case "ITERATION":
                w.WriteStartElement("iter");
                foreach(var v in item.Variables)
                {
                    w.WriteStartElement("var");
                    Attr(w, "name", v.Key);
                    w.WriteString(Clean(v.Value));
                    w.WriteEndElement();
                }
                WriteChildren(w, item);
                break;
            case "IF/ELSE ROOT":
                w.WriteStartElement("if");
                WriteChildren(w, item);
                break;
            case "TRY/EXCEPT ROOT":
                w.WriteStartElement("try");
                WriteChildren(w, item);
                break;
            case "IF":
            case "ELSE IF":
            case "ELSE":
            case "TRY":
            case "EXCEPT":
            case "FINALLY":
                w.WriteStartElement("branch");
                w.WriteAttributeString("type", item.Type);
                if(item.Type is "IF" or "ELSE IF")
                {
                    Attr(w, "condition", item.Condition);
                }
                if(item.Type == "EXCEPT" && !string.IsNullOrEmpty(item.Condition))
                {
                    Element(w, "pattern", item.Condition);
                }
                WriteChildren(w, item);
                break;
            case "WHILE":
                w.WriteStartElement("while");
                Attr(w, "condition", item.Condition);
                WriteChildren(w, item);
                break;
            case "RETURN":
                w.WriteStartElement("return");
                foreach(var v in item.Values)
                {
                    Element(w, "value", v);
                }
                break;
            case "BREAK":
                w.WriteStartElement("break");
                break;
            case "CONTINUE":
                w.WriteStartElement("continue");
                break;
            default:
                w.WriteStartElement("error");
                Element(w, "value", item.FailureMessage);
                break;
            }
            WriteStatus(w, item.Status, item.Start, item.End);
            w.WriteEndElement();
        }

        // ---- xunit ----

        public static void WriteXunit(RunResult run, string path)
        {
            using var stream = File.Create(path);
            WriteXunit(run, stream);
        }

        public static void WriteXunit(RunResult run, Stream stream)
        {
            using var w = XmlWriter.Create(stream, Settings());
            w.WriteStartDocument();
            WriteXunitSuite(w, run.Suite);
            w.WriteEndDocument();
        }

        private static string Seconds(DateTime start, DateTime end) => Math.Max(0, (end - start).TotalSeconds).ToString("0.000", CultureInfo.InvariantCulture);

        private static void WriteXunitSuite(XmlWriter w, SuiteResult suite)
        {
            var tests = suite.AllTests.ToList();
            w.WriteStartElement("testsuite");
            Attr(w, "name", suite.Name);
            w.WriteAttributeString("tests", tests.Count.ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("errors", "0");
            w.WriteAttributeString("failures", tests.Count(t => t.Status == Status.Fail).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("skipped", tests.Count(t => t.Status == Status.Skip).ToString(CultureInfo.InvariantCulture));
            w.WriteAttributeString("time", Seconds(suite.Start, suite.End));
            w.WriteAttributeString("timestamp", suite.Start.ToString("yyyy-MM-ddTHH:mm:ss.ffffff", CultureInfo.InvariantCulture));
            foreach(var test in suite.Tests)
            {
                w.WriteStartElement("testcase");
                Attr(w, "classname", suite.LongName);
                Attr(w, "name", test.Name);
                w.WriteAttributeString("time", Seconds(test.Start, test.End));
                if(test.Status == Status.Fail)
                {
                    w.WriteStartElement("failure");
                    Attr(w, "message", test.Message);
                    w.WriteAttributeString("type", "AssertionError");
                    w.WriteEndElement();
                }
                else if(test.Status == Status.Skip)
                {
                    w.WriteStartElement("skipped");
                    Attr(w, "message", test.Message);
                    w.WriteAttributeString("type", "SkipExecution");
                    w.WriteEndElement();
                }
                w.WriteEndElement();
            }
            foreach(var child in suite.Suites)
            {
                WriteXunitSuite(w, child);
            }
            if(suite.Documentation.Length > 0)
            {
                w.WriteStartElement("properties");
                w.WriteStartElement("property");
                w.WriteAttributeString("name", "Documentation");
                Attr(w, "value", suite.Documentation);
                w.WriteEndElement();
                w.WriteEndElement();
            }
            w.WriteEndElement();
        }
    }
}
