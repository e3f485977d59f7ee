// Robot Framework's Remote library protocol (Robot Framework User Guide, "Remote library interface") over
// XML-RPC on a small HTTP/1.1 server bound to 127.0.0.1, serving the Renode keywords, so that a real Robot
// Framework can run Renode-style suites against this host with `Library  Remote  http://127.0.0.1:<port>/`.
// Requests are handled one at a time; malformed requests get an HTTP error or an XML-RPC fault, never a crash.
using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace RenodeGic.Host.Robot
{
    /// <summary>The Remote-library methods over a set of keywords, independent of the transport.</summary>
    public sealed class RemoteLibrary
    {
        public RemoteLibrary(IEnumerable<LibraryKeyword> keywords, string documentation = "")
        {
            foreach(var keyword in keywords)
            {
                this.keywords[RobotParser.Normalize(keyword.Name)] = keyword;
            }
            this.documentation = documentation;
        }

        /// <summary>Set when stop_remote_server (or the Stop Remote Server keyword) was called.</summary>
        public bool StopRequested { get; private set; }

        public void RequestStop() => StopRequested = true;

        /// <summary>Handles one XML-RPC request body and returns the response body (a fault for any error).</summary>
        public string Handle(string requestXml)
        {
            try
            {
                var (method, args) = XmlRpc.DecodeCall(requestXml);
                return XmlRpc.EncodeResponse(Dispatch(method, args));
            }
            catch(XmlRpcFault f)
            {
                return XmlRpc.EncodeFault(f.Code, f.Message);
            }
            catch(Exception e)
            {
                return XmlRpc.EncodeFault(XmlRpc.InternalError, $"{e.GetType().Name}: {e.Message}");
            }
        }

        public object? Dispatch(string method, List<object?> args)
        {
            string Arg(int i) => i < args.Count && args[i] is string s ? s
                : throw new XmlRpcFault(XmlRpc.InvalidParams, $"{method}: argument {i + 1} must be a string");
            switch(method)
            {
            case "get_keyword_names":
                return keywords.Values.Select(k => (object?)k.Name).ToList();
            case "run_keyword":
                if(args.Count < 1 || args.Count > 3)
                {
                    throw new XmlRpcFault(XmlRpc.InvalidParams, "run_keyword takes (name, args[, kwargs])");
                }
                var positional = args.Count > 1 ? args[1] as IList<object?> ?? throw new XmlRpcFault(XmlRpc.InvalidParams, "run_keyword: args must be an array") : new List<object?>();
                var named = args.Count > 2 ? args[2] as IDictionary<string, object?> ?? throw new XmlRpcFault(XmlRpc.InvalidParams, "run_keyword: kwargs must be a struct") : new Dictionary<string, object?>();
                return RunKeyword(Arg(0), positional, named);
            case "get_keyword_arguments":
                return Find(Arg(0)).Arguments.Select(a => (object?)a.ToString()).ToList();
            case "get_keyword_documentation":
                var name = Arg(0);
                return name is "__intro__" or "__init__" ? (name == "__intro__" ? documentation : "") : Find(name).Documentation;
            case "get_keyword_types":
                Find(Arg(0));
                return new List<object?>();
            case "get_keyword_tags":
                Find(Arg(0));
                return new List<object?>();
            case "get_library_information":
                var info = new Dictionary<string, object?>();
                foreach(var k in keywords.Values)
                {
                    info[k.Name] = new Dictionary<string, object?>
                    {
                        ["args"] = k.Arguments.Select(a => (object?)a.ToString()).ToList(),
                        ["doc"] = k.Documentation,
                        ["tags"] = new List<object?>(),
                        ["types"] = new List<object?>(),
                    };
                }
                info["__intro__"] = new Dictionary<string, object?> { ["doc"] = documentation };
                info["__init__"] = new Dictionary<string, object?> { ["doc"] = "" };
                return info;
            case "stop_remote_server":
                StopRequested = true;
                return true;
            case "system.listMethods":
                return new List<object?> { "get_keyword_names", "run_keyword", "get_keyword_arguments", "get_keyword_documentation", "get_keyword_types", "get_keyword_tags", "get_library_information", "stop_remote_server" };
            default:
                throw new XmlRpcFault(XmlRpc.MethodNotFound, $"no method '{method}'");
            }
        }

        private LibraryKeyword Find(string name)
        {
            return keywords.TryGetValue(RobotParser.Normalize(name), out var k) ? k : throw new XmlRpcFault(XmlRpc.InvalidParams, $"no keyword '{name}'");
        }

        /// <summary>Log lines a keyword produced while running (the 'output' of its result), fed by the library's logger.</summary>
        public StringBuilder Output { get; } = new StringBuilder();

        private Dictionary<string, object?> RunKeyword(string name, IList<object?> args, IDictionary<string, object?> kwargs)
        {
            Output.Clear();
            var result = new Dictionary<string, object?>
            {
                ["status"] = Status.Fail,
                ["return"] = "",
                ["output"] = "",
                ["error"] = "",
                ["traceback"] = "",
            };
            try
            {
                if(!keywords.TryGetValue(RobotParser.Normalize(name), out var keyword))
                {
                    throw new RobotFailure($"No keyword with name '{name}' found.");
                }
                var bound = keyword.Bind(args.ToList(), kwargs.ToList());
                var value = RobotValues.FromClr(keyword.Body(bound));
                result["status"] = Status.Pass;
                result["return"] = ToRemote(value);
            }
            catch(RobotFailure e)
            {
                result["error"] = e.Message;
            }
            catch(Exception e) when(e is not OutOfMemoryException)
            {
                result["error"] = $"{e.GetType().Name}: {e.Message}";
                result["traceback"] = e.StackTrace ?? "";
            }
            result["output"] = Output.ToString();
            return result;
        }

        /// <summary>Return values as the Remote protocol carries them: None becomes an empty string.</summary>
        private static object? ToRemote(object? value) => value switch
        {
            null => "",
            IDictionary<string, object?> d => d.ToDictionary(kv => kv.Key, kv => ToRemote(kv.Value)),
            IList<object?> l => l.Select(ToRemote).ToList(),
            _ => value,
        };

        private readonly Dictionary<string, LibraryKeyword> keywords = new Dictionary<string, LibraryKeyword>(StringComparer.Ordinal);
        private readonly string documentation;
    }

    /// <summary>A minimal HTTP/1.1 server (POST with Content-Length, keep-alive) on 127.0.0.1 for the Remote library.</summary>
    public sealed class RemoteServer : IDisposable
    {
        public const int MaxBody = 16 * 1024 * 1024;
        public const int MaxHeader = 64 * 1024;

        public RemoteServer(RemoteLibrary library, int port)
        {
            this.library = library;
            listener = new TcpListener(IPAddress.Loopback, port);
        }

        /// <summary>The port actually listened on (useful with port 0).</summary>
        public int Port => ((IPEndPoint)listener.LocalEndpoint).Port;

        public void Start()
        {
            listener.Start();
            acceptLoop = Task.Run(AcceptLoop);
        }

        /// <summary>Blocks until stop_remote_server is called or <see cref="Stop"/>.</summary>
        public void WaitForStop() => stopped.Wait();

        public void Stop()
        {
            if(stopped.IsSet)
            {
                return;
            }
            stopped.Set();
            cancel.Cancel();
            try
            {
                listener.Stop();
            }
            catch(SocketException)
            {
            }
        }

        public void Dispose()
        {
            Stop();
            try
            {
                acceptLoop?.Wait(TimeSpan.FromSeconds(2));
            }
            catch(AggregateException)
            {
            }
            cancel.Dispose();
            stopped.Dispose();
        }

        private async Task AcceptLoop()
        {
            while(!cancel.IsCancellationRequested)
            {
                TcpClient client;
                try
                {
                    client = await listener.AcceptTcpClientAsync(cancel.Token).ConfigureAwait(false);
                }
                catch(Exception e) when(e is OperationCanceledException || e is SocketException || e is ObjectDisposedException)
                {
                    break;
                }
                _ = Task.Run(() => Serve(client));
            }
        }

        private void Serve(TcpClient client)
        {
            using(client)
            {
                try
                {
                    var stream = client.GetStream();
                    stream.ReadTimeout = 60_000;
                    while(!cancel.IsCancellationRequested)
                    {
                        if(!ServeOne(stream))
                        {
                            break;
                        }
                        if(library.StopRequested)
                        {
                            Stop();
                            break;
                        }
                    }
                }
                catch(Exception e) when(e is IOException || e is SocketException || e is ObjectDisposedException)
                {
                }
            }
        }

        /// <summary>Handles one request; false when the connection should close.</summary>
        private bool ServeOne(Stream stream)
        {
            var header = ReadHeader(stream);
            if(header == null)
            {
                return false;
            }
            var lines = header.Split("\r\n");
            var requestLine = lines[0].Split(' ');
            if(requestLine.Length != 3 || !requestLine[2].StartsWith("HTTP/1.", StringComparison.Ordinal))
            {
                Respond(stream, 400, "Bad Request", "text/plain", "malformed request line\n", close: true);
                return false;
            }
            var headers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            foreach(var line in lines.Skip(1))
            {
                var colon = line.IndexOf(':', StringComparison.Ordinal);
                if(colon <= 0)
                {
                    Respond(stream, 400, "Bad Request", "text/plain", "malformed header line\n", close: true);
                    return false;
                }
                headers[line.Substring(0, colon).Trim()] = line.Substring(colon + 1).Trim();
            }
            var close = requestLine[2] == "HTTP/1.0" ? !(headers.TryGetValue("Connection", out var c0) && c0.Equals("keep-alive", StringComparison.OrdinalIgnoreCase))
                : headers.TryGetValue("Connection", out var c1) && c1.Equals("close", StringComparison.OrdinalIgnoreCase);
            if(headers.ContainsKey("Transfer-Encoding"))
            {
                Respond(stream, 411, "Length Required", "text/plain", "chunked requests are not supported; send Content-Length\n", close: true);
                return false;
            }
            var length = 0;
            if(headers.TryGetValue("Content-Length", out var lengthText) && (!int.TryParse(lengthText, NumberStyles.None, CultureInfo.InvariantCulture, out length) || length > MaxBody))
            {
                Respond(stream, 413, "Payload Too Large", "text/plain", "bad or too large Content-Length\n", close: true);
                return false;
            }
            var body = new byte[length];
            var read = 0;
            while(read < length)
            {
                var n = stream.Read(body, read, length - read);
                if(n == 0)
                {
                    return false;
                }
                read += n;
            }
            if(requestLine[0] == "GET" || requestLine[0] == "HEAD")
            {
                Respond(stream, 200, "OK", "text/plain", "RenodeGic Robot Framework remote library server (XML-RPC: POST to /)\n", close);
                return !close;
            }
            if(requestLine[0] != "POST")
            {
                Respond(stream, 405, "Method Not Allowed", "text/plain", "use POST\n", close: true);
                return false;
            }
            string response;
            string text;
            try
            {
                text = new UTF8Encoding(false, true).GetString(body);
            }
            catch(DecoderFallbackException)
            {
                text = "";
            }
            lock(library)
            {
                response = text.Length == 0 ? XmlRpc.EncodeFault(XmlRpc.ParseError, "empty or non-UTF-8 request body") : library.Handle(text);
            }
            Respond(stream, 200, "OK", "text/xml", response, close);
            return !close;
        }

        private static string? ReadHeader(Stream stream)
        {
            var buffer = new List<byte>();
            while(true)
            {
                var b = stream.ReadByte();
                if(b < 0)
                {
                    return null;
                }
                buffer.Add((byte)b);
                var n = buffer.Count;
                if(n >= 4 && buffer[n - 4] == '\r' && buffer[n - 3] == '\n' && buffer[n - 2] == '\r' && buffer[n - 1] == '\n')
                {
                    return Encoding.Latin1.GetString(buffer.ToArray(), 0, n - 4);
                }
                if(n > MaxHeader)
                {
                    return null;
                }
            }
        }

        private static void Respond(Stream stream, int code, string reason, string type, string body, bool close)
        {
            var payload = Encoding.UTF8.GetBytes(body);
            var head = $"HTTP/1.1 {code} {reason}\r\nServer: RenodeGic\r\nContent-Type: {type}; charset=utf-8\r\nContent-Length: {payload.Length}\r\n{(close ? "Connection: close\r\n" : "")}\r\n";
            var headBytes = Encoding.ASCII.GetBytes(head);
            stream.Write(headBytes, 0, headBytes.Length);
            stream.Write(payload, 0, payload.Length);
            stream.Flush();
        }

        private readonly RemoteLibrary library;
        private readonly TcpListener listener;
        private readonly CancellationTokenSource cancel = new CancellationTokenSource();
        private readonly ManualResetEventSlim stopped = new ManualResetEventSlim(false);
        private Task? acceptLoop;
    }
}
