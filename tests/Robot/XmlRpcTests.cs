using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Sockets;
using System.Text;
using NUnit.Framework;
using RenodeGic.Host.Cli;
using RenodeGic.Host.Robot;

namespace RenodeGic.Tests.Robot
{
    [TestFixture]
    [NonParallelizable]
    public sealed class XmlRpcTests
    {
        [Test]
        public void ValuesRoundTrip()
        {
            var value = new Dictionary<string, object?>
            {
                ["int"] = 42L,
                ["negative"] = -7L,
                ["big"] = 1L << 40,
                ["bool"] = true,
                ["double"] = 2.5,
                ["string"] = "a <b> & \"c\"",
                ["bytes"] = new byte[] { 0, 1, 255 },
                ["list"] = new List<object?> { "x", 1L, false },
                ["nil"] = null,
            };
            var xml = XmlRpc.EncodeCall("method", value, "second");
            var (method, args) = XmlRpc.DecodeCall(xml);
            Assert.That(method, Is.EqualTo("method"));
            var back = (Dictionary<string, object?>)args[0]!;
            Assert.That(back["int"], Is.EqualTo(42L));
            Assert.That(back["negative"], Is.EqualTo(-7L));
            Assert.That(back["big"], Is.EqualTo((1L << 40).ToString(System.Globalization.CultureInfo.InvariantCulture)), "values beyond 32 bits travel as strings");
            Assert.That(back["bool"], Is.EqualTo(true));
            Assert.That(back["double"], Is.EqualTo(2.5));
            Assert.That(back["string"], Is.EqualTo("a <b> & \"c\""));
            Assert.That(back["bytes"], Is.EqualTo(new byte[] { 0, 1, 255 }));
            Assert.That(back["list"], Is.EqualTo(new List<object?> { "x", 1L, false }));
            Assert.That(back["nil"], Is.Null);
            Assert.That(args[1], Is.EqualTo("second"));
        }

        [Test]
        public void DecodesUntypedAndI4Values()
        {
            var (_, args) = XmlRpc.DecodeCall("<?xml version='1.0'?><methodCall><methodName>m</methodName><params>"
                + "<param><value>plain</value></param><param><value><i4>-3</i4></value></param>"
                + "<param><value><boolean>0</boolean></value></param><param><value><array><data/></array></value></param></params></methodCall>");
            Assert.That(args, Is.EqualTo(new object?[] { "plain", -3L, false, new List<object?>() }));
        }

        [TestCase("not xml at all", XmlRpc.ParseError)]
        [TestCase("<methodCall><methodName>m</methodName><params><param><value><int>x</int></value></param></params></methodCall>", XmlRpc.InvalidParams)]
        [TestCase("<methodCall><params/></methodCall>", XmlRpc.InvalidRequest)]
        [TestCase("<other/>", XmlRpc.InvalidRequest)]
        [TestCase("<!DOCTYPE x [<!ENTITY e SYSTEM 'file:///etc/passwd'>]><methodCall><methodName>&e;</methodName></methodCall>", XmlRpc.ParseError)]
        [TestCase("<methodCall><methodName>m</methodName><params><param><value><weird>1</weird></value></param></params></methodCall>", XmlRpc.InvalidParams)]
        public void MalformedRequestsBecomeFaults(string xml, int code)
        {
            var library = new RemoteLibrary(Array.Empty<LibraryKeyword>());
            var response = library.Handle(xml);
            var fault = Assert.Throws<XmlRpcFault>(() => XmlRpc.DecodeResponse(response));
            Assert.That(fault!.Code, Is.EqualTo(code));
        }

        [Test]
        public void RemoteLibraryRunsKeywords()
        {
            var keywords = new[]
            {
                new LibraryKeyword("Remote", "Add Things", "a, b=1, *rest", a => (long)a.Integer("a") + a.Integer("b") + a.VarArgs.Count, "Adds."),
                new LibraryKeyword("Remote", "Break", "", _ => throw new RobotFailure("it broke")),
            };
            var library = new RemoteLibrary(keywords, "intro");
            Assert.That(library.Dispatch("get_keyword_names", new List<object?>()), Is.EqualTo(new List<object?> { "Add Things", "Break" }));
            Assert.That(library.Dispatch("get_keyword_arguments", new List<object?> { "add things" }), Is.EqualTo(new List<object?> { "a", "b=1", "*rest" }));
            Assert.That(library.Dispatch("get_keyword_documentation", new List<object?> { "Add Things" }), Is.EqualTo("Adds."));
            Assert.That(library.Dispatch("get_keyword_documentation", new List<object?> { "__intro__" }), Is.EqualTo("intro"));
            var ok = (Dictionary<string, object?>)library.Dispatch("run_keyword", new List<object?> { "Add Things", new List<object?> { "2" }, new Dictionary<string, object?> { ["b"] = "10" } })!;
            Assert.That(ok["status"], Is.EqualTo("PASS"), ok["error"]?.ToString());
            Assert.That(ok["return"], Is.EqualTo(12L));
            var varArgs = (Dictionary<string, object?>)library.Dispatch("run_keyword", new List<object?> { "Add Things", new List<object?> { "2", "3", "x" } })!;
            Assert.That(varArgs["return"], Is.EqualTo(6L));
            var failed = (Dictionary<string, object?>)library.Dispatch("run_keyword", new List<object?> { "Break", new List<object?>() })!;
            Assert.That((failed["status"], failed["error"]), Is.EqualTo(("FAIL", "it broke")));
            var missing = (Dictionary<string, object?>)library.Dispatch("run_keyword", new List<object?> { "Nope", new List<object?>() })!;
            Assert.That(missing["error"], Is.EqualTo("No keyword with name 'Nope' found."));
            var info = (Dictionary<string, object?>)library.Dispatch("get_library_information", new List<object?>())!;
            Assert.That(info.Keys, Does.Contain("Add Things").And.Contain("__intro__"));
            Assert.Throws<XmlRpcFault>(() => library.Dispatch("no_such_method", new List<object?>()));
        }

        private static object? Call(HttpClient client, string url, string method, params object?[] args)
        {
            using var content = new StringContent(XmlRpc.EncodeCall(method, args), Encoding.UTF8, "text/xml");
            using var response = client.PostAsync(url, content).Result;
            Assert.That((int)response.StatusCode, Is.EqualTo(200));
            return XmlRpc.DecodeResponse(response.Content.ReadAsStringAsync().Result);
        }

        [Test]
        public void ServerRoundTripOnLoopback()
        {
            using var renode = new RenodeLibrary(Runner.RepositoryRoot) { LocationProvider = () => ("<remote>", 0, Runner.RepositoryRoot) };
            var library = new RemoteLibrary(renode.Keywords);
            renode.StopRequested = library.RequestStop;
            using var server = new RemoteServer(library, 0);
            server.Start();
            var url = $"http://127.0.0.1:{server.Port}/RPC2";
            using var client = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            try
            {
                var names = (List<object?>)Call(client, url, "get_keyword_names")!;
                Assert.That(names, Does.Contain("Execute Command").And.Contain("Wait For Line On Uart").And.Contain("Create Terminal Tester"));
                var args = (List<object?>)Call(client, url, "get_keyword_arguments", "Wait For Line On Uart")!;
                Assert.That(args, Does.Contain("content").And.Contain("timeout=None").And.Contain("treatAsRegex=False"));

                var created = (Dictionary<string, object?>)Call(client, url, "run_keyword", "Execute Command", new List<object?> { "mach create \"remote\"" })!;
                Assert.That(created["status"], Is.EqualTo("PASS"), created["error"]?.ToString());
                var help = (Dictionary<string, object?>)Call(client, url, "run_keyword", "Execute Command", new List<object?> { "help" })!;
                Assert.That((string)help["return"]!, Does.Contain("LoadPlatformDescription"));
                var noTester = (Dictionary<string, object?>)Call(client, url, "run_keyword", "Wait For Line On Uart", new List<object?> { "x" }, new Dictionary<string, object?> { ["timeout"] = "1" })!;
                Assert.That(noTester["status"], Is.EqualTo("FAIL"));
                Assert.That(noTester["error"], Does.Contain("no terminal tester"));
                var badCommand = (Dictionary<string, object?>)Call(client, url, "run_keyword", "Execute Command", new List<object?> { "frobnicate" })!;
                Assert.That(badCommand["error"], Does.Contain("unknown command 'frobnicate'"));

                using(var malformed = new StringContent("<methodCall><oops", Encoding.UTF8, "text/xml"))
                using(var response = client.PostAsync(url, malformed).Result)
                {
                    Assert.That(() => XmlRpc.DecodeResponse(response.Content.ReadAsStringAsync().Result), Throws.TypeOf<XmlRpcFault>());
                }
                Assert.That(client.GetAsync(url).Result.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
                using(var raw = new TcpClient("127.0.0.1", server.Port))
                {
                    var stream = raw.GetStream();
                    var garbage = Encoding.ASCII.GetBytes("garbage\r\n\r\n");
                    stream.Write(garbage, 0, garbage.Length);
                    var reply = new StreamReader(stream).ReadLine();
                    Assert.That(reply, Does.StartWith("HTTP/1.1 400"));
                }

                Assert.That(Call(client, url, "stop_remote_server"), Is.EqualTo(true));
                server.WaitForStop();
                Assert.That(library.StopRequested, Is.True);
            }
            finally
            {
                Antmicro.Renode.Logging.Logger.Backend = null;
            }
        }
    }
}
