// The Renode API our peripherals use, pinned: tests/RenodeApiCompatibility.txt lists every Antmicro.Renode.* type and
// member that peripherals/** (including the run-time examples in peripherals/examples/) reference, each with the file
// of Renode's public sources it comes from. Two checks keep it honest:
//   1. by reflection, renode-api (the layer we build against) provides exactly those signatures;
//   2. by compiling peripherals/** with Roslyn against renode-api, every Antmicro.Renode.* symbol they reference is
//      in the list, and nothing in the list is unused.
// A change to renode-api that drifts from a listed signature, or a peripheral that starts using an unlisted API,
// fails here; add the new line (with its Renode source path) after checking the signature in Renode.
// Regenerate the list (keeping paths) with RENODE_API_LIST_WRITE=1 dotnet test --filter RenodeApiCompatibility.
using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using NUnit.Framework;

namespace RenodeGic.Tests.RenodeUse
{
    [TestFixture]
    public sealed class RenodeApiCompatibilityTests
    {
        [Test]
        public void RenodeApiShouldProvideEveryListedSignature()
        {
            var provided = new HashSet<string>(ReflectedSignatures(typeof(Antmicro.Renode.Peripherals.IPeripheral).Assembly), StringComparer.Ordinal);
            var missing = Listed().Keys.Where(s => !provided.Contains(s)).ToList();
            Assert.That(missing, Is.Empty, "listed in tests/RenodeApiCompatibility.txt but not provided (with this exact signature) by renode-api");
        }

        [Test]
        public void EverySymbolThePeripheralsUseShouldBeListed()
        {
            var used = UsedSignatures();
            if(Environment.GetEnvironmentVariable("RENODE_API_LIST_WRITE") == "1")
            {
                WriteList(used);
            }
            var listed = Listed();
            var unlisted = used.Where(s => !listed.ContainsKey(s)).ToList();
            var unused = listed.Keys.Where(s => !used.Contains(s)).ToList();
            Assert.That(unlisted, Is.Empty, "used by peripherals/** but not in tests/RenodeApiCompatibility.txt");
            Assert.That(unused, Is.Empty, "in tests/RenodeApiCompatibility.txt but no longer used by peripherals/**");
            Assert.That(listed.Values.Where(p => !p.StartsWith("src/", StringComparison.Ordinal) && !p.StartsWith(NotInRenode, StringComparison.Ordinal)), Is.Empty,
                "every entry names its Renode source file (or is marked as a known gap)");
            var gaps = listed.Where(e => e.Value.StartsWith(NotInRenode, StringComparison.Ordinal)).Select(e => e.Key + " | " + e.Value).ToList();
            if(gaps.Count > 0)
            {
                // Known gaps: members of our API layer that Renode does not have. The plugin build against Renode fails
                // until the peripherals stop using them; reported, not failed, so the gap stays visible in every run.
                Assert.Warn("peripherals use API that Renode lacks:\n" + string.Join("\n", gaps));
            }
        }

        private const string NotInRenode = "NOT IN RENODE:";

        private static string ListPath => Path.Combine(CSharpIncludeTests.RepositoryRoot, "tests", "RenodeApiCompatibility.txt");

        // signature -> Renode source path
        private static Dictionary<string, string> Listed()
        {
            var result = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach(var raw in File.ReadAllLines(ListPath))
            {
                var line = raw.Trim();
                if(line.Length == 0 || line.StartsWith('#'))
                {
                    continue;
                }
                var bar = line.LastIndexOf(" | ", StringComparison.Ordinal);
                Assert.That(bar, Is.GreaterThan(0), $"bad line (expected 'signature | renode path'): {line}");
                result[line.Substring(0, bar).Trim()] = line.Substring(bar + 3).Trim();
            }
            return result;
        }

        private static void WriteList(ISet<string> used)
        {
            var old = File.Exists(ListPath) ? Listed() : new Dictionary<string, string>();
            var sb = new StringBuilder();
            sb.Append("# Renode API used by peripherals/** (checked by tests/RenodeUse/RenodeApiCompatibilityTests.cs).\n");
            sb.Append("# Format: signature | file in renode-infrastructure (github.com/renode/renode-infrastructure) it comes from.\n");
            sb.Append("# Signatures: 'type T', 'ctor T(params)', 'method T.Name(params) : R', 'property T.Name : P', 'field T.Name : F'.\n");
            sb.Append("# 'NOT IN RENODE: why' instead of a path marks a known gap: our layer has it, Renode does not.\n");
            foreach(var signature in used.OrderBy(s => TypeOf(s), StringComparer.Ordinal).ThenBy(s => s, StringComparer.Ordinal))
            {
                sb.Append(signature).Append(" | ").Append(old.TryGetValue(signature, out var path) ? path : RenodePathFor(TypeOf(signature))).Append('\n');
            }
            File.WriteAllText(ListPath, sb.ToString());
        }

        private static string TypeOf(string signature)
        {
            var rest = signature.Substring(signature.IndexOf(' ') + 1);
            var kind = signature.Substring(0, signature.IndexOf(' '));
            if(kind == "type")
            {
                return rest;
            }
            var paren = rest.IndexOf('(');
            var colon = rest.IndexOf(" : ", StringComparison.Ordinal);
            var end = paren >= 0 ? paren : colon >= 0 ? colon : rest.Length;
            var head = rest.Substring(0, end);
            return kind == "ctor" ? head : head.Substring(0, head.LastIndexOf('.'));
        }

        private static string RenodePathFor(string type)
        {
            var name = type.Split('<')[0];
            name = name.Substring(name.LastIndexOf('.') + 1);
            return name switch
            {
                "IPeripheral" => "src/Emulator/Main/Peripherals/IPeripheral.cs",
                "IKnownSize" => "src/Emulator/Main/Peripherals/IKnownSize.cs",
                "IMachine" => "src/Emulator/Main/Peripherals/IMachine.cs",
                "IEmulationElement" => "src/Emulator/Main/Core/IEmulationElement.cs",
                "GPIO" => "src/Emulator/Main/Core/GPIO.cs",
                "IGPIO" => "src/Emulator/Main/Core/IGPIO.cs",
                "IGPIOReceiver" => "src/Emulator/Main/Core/IGPIOReceiver.cs",
                "IGPIOSender" => "src/Emulator/Main/Core/IGPIOSender.cs",
                "INumberedGPIOOutput" => "src/Emulator/Main/Core/INumberedGPIOOutput.cs",
                "ILocalGPIOReceiver" => "src/Emulator/Main/Core/ILocalGPIOReceiver.cs",
                "GPIOEndpoint" => "src/Emulator/Main/Core/GPIOEndpoint.cs",
                "IBusPeripheral" => "src/Emulator/Main/Peripherals/Bus/IBusPeripheral.cs",
                "IBytePeripheral" => "src/Emulator/Main/Peripherals/Bus/IBytePeripheral.cs",
                "IWordPeripheral" => "src/Emulator/Main/Peripherals/Bus/IWordPeripheral.cs",
                "IDoubleWordPeripheral" => "src/Emulator/Main/Peripherals/Bus/IDoubleWordPeripheral.cs",
                "IQuadWordPeripheral" => "src/Emulator/Main/Peripherals/Bus/IQuadWordPeripheral.cs",
                "IBusController" => "src/Emulator/Main/Peripherals/Bus/IBusController.cs",
                "ConnectionRegionAttribute" => "src/Emulator/Main/Peripherals/Bus/ConnectionRegionAttribute.cs",
                "IIRQController" => "src/Emulator/Main/Peripherals/IRQControllers/IIRQController.cs",
                "BasicDoubleWordPeripheral" or "BasicDoubleWordPeripheralExtensions" => "src/Emulator/Main/Peripherals/BasicDoubleWordPeripheral.cs",
                "BasicQuadWordPeripheral" or "BasicQuadWordPeripheralExtensions" => "src/Emulator/Main/Peripherals/BasicQuadWordPeripheral.cs",
                "BasicWordPeripheral" or "BasicWordPeripheralExtensions" => "src/Emulator/Main/Peripherals/BasicWordPeripheral.cs",
                "BasicBytePeripheral" or "BasicBytePeripheralExtensions" => "src/Emulator/Main/Peripherals/BasicBytePeripheral.cs",
                "FieldMode" => "src/Emulator/Main/Core/Structure/Registers/FieldMode.cs",
                "IFlagRegisterField" => "src/Emulator/Main/Core/Structure/Registers/IFlagRegisterField.cs",
                "IValueRegisterField" => "src/Emulator/Main/Core/Structure/Registers/IValueRegisterField.cs",
                "IEnumRegisterField" => "src/Emulator/Main/Core/Structure/Registers/IEnumRegisterField.cs",
                "IRegisterField" => "src/Emulator/Main/Core/Structure/Registers/RegisterField.cs",
                "PeripheralRegisterExtensions" or "DoubleWordRegisterExtensions" or "QuadWordRegisterExtensions" or "WordRegisterExtensions" or "ByteRegisterExtensions"
                    => "src/Emulator/Main/Core/Structure/Registers/PeripheralRegisterExtensions.cs",
                "PeripheralRegister" or "DoubleWordRegister" or "QuadWordRegister" or "WordRegister" or "ByteRegister"
                    => "src/Emulator/Main/Core/Structure/Registers/PeripheralRegister.cs",
                "IPeripheralRegister" => "src/Emulator/Main/Core/Structure/IPeripheralRegister.cs",
                "IProvidesRegisterCollection" or "IRegisterCollection" or "BaseRegisterCollection" or "DoubleWordRegisterCollection" or "QuadWordRegisterCollection"
                    or "WordRegisterCollection" or "ByteRegisterCollection" => "src/Emulator/Main/Core/Structure/Registers/RegisterCollection.cs",
                "LogLevel" => "src/Emulator/Main/Logging/LogLevel.cs",
                "Logger" or "LoggingExtensions" => "src/Emulator/Main/Logging/Logger.cs",
                "TimeInterval" => "src/Emulator/Main/Time/TimeInterval.cs",
                "TimeStamp" => "src/Emulator/Main/Time/TimeStamp.cs",
                _ => "?",
            };
        }

        // ---- what the peripherals use (Roslyn) ----

        private static HashSet<string> UsedSignatures()
        {
            var root = CSharpIncludeTests.RepositoryRoot;
            var files = Directory.GetFiles(Path.Combine(root, "peripherals"), "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .OrderBy(f => f, StringComparer.Ordinal).ToList();
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest), f)).ToList();
            var api = typeof(Antmicro.Renode.Peripherals.IPeripheral).Assembly;
            var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
                .Select(p => MetadataReference.CreateFromFile(p)).Append(MetadataReference.CreateFromFile(api.Location)).ToList();
            var compilation = CSharpCompilation.Create("PeripheralsScan", trees, references,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
            var apiAssembly = compilation.GetAssemblyOrModuleSymbol(compilation.References.Last()) as IAssemblySymbol;
            var used = new HashSet<string>(StringComparer.Ordinal);
            void Add(ISymbol? symbol)
            {
                if(symbol == null)
                {
                    return;
                }
                if(symbol is IMethodSymbol { ReducedFrom: { } reduced })
                {
                    symbol = reduced;
                }
                symbol = symbol.OriginalDefinition;
                if(symbol is INamedTypeSymbol named)
                {
                    foreach(var argument in named.TypeArguments)
                    {
                        Add(argument);
                    }
                }
                if(symbol is IArrayTypeSymbol array)
                {
                    Add(array.ElementType);
                    return;
                }
                if(!SymbolEqualityComparer.Default.Equals(symbol.ContainingAssembly, apiAssembly))
                {
                    return;
                }
                var signature = RoslynSignature(symbol);
                if(signature != null && used.Add(signature) && symbol.ContainingType != null)
                {
                    Add(symbol.ContainingType);
                }
            }
            foreach(var tree in trees)
            {
                var model = compilation.GetSemanticModel(tree);
                foreach(var node in tree.GetRoot().DescendantNodes())
                {
                    Add(model.GetSymbolInfo(node).Symbol);
                    if(model.GetDeclaredSymbol(node) is INamedTypeSymbol declared)
                    {
                        Add(declared.BaseType);
                        foreach(var implemented in declared.AllInterfaces)
                        {
                            Add(implemented);
                            foreach(var member in implemented.GetMembers())
                            {
                                if(declared.FindImplementationForInterfaceMember(member) is { } implementation
                                    && SymbolEqualityComparer.Default.Equals(implementation.ContainingAssembly, declared.ContainingAssembly))
                                {
                                    Add(member);
                                }
                            }
                        }
                        foreach(var member in declared.GetMembers().Where(m => m.IsOverride))
                        {
                            Add(member switch
                            {
                                IMethodSymbol m => (ISymbol?)m.OverriddenMethod,
                                IPropertySymbol p => p.OverriddenProperty,
                                _ => null,
                            });
                        }
                    }
                }
            }
            return used;
        }

        private static string? RoslynSignature(ISymbol symbol)
        {
            switch(symbol)
            {
            case INamedTypeSymbol type:
                return "type " + RoslynType(type);
            case IMethodSymbol method when method.MethodKind == MethodKind.Constructor:
                return $"ctor {RoslynType(method.ContainingType)}({RoslynParameters(method.Parameters)})";
            case IMethodSymbol method when method.MethodKind is MethodKind.Ordinary or MethodKind.UserDefinedOperator or MethodKind.Conversion:
                var generic = method.TypeParameters.Length > 0 ? "<" + string.Join(",", method.TypeParameters.Select(t => t.Name)) + ">" : "";
                return $"method {RoslynType(method.ContainingType)}.{method.Name}{generic}({RoslynParameters(method.Parameters)}) : {RoslynType(method.ReturnType)}";
            case IMethodSymbol method when method.AssociatedSymbol is IPropertySymbol property:
                return RoslynSignature(property);
            case IPropertySymbol property:
                return $"property {RoslynType(property.ContainingType)}.{property.Name} : {RoslynType(property.Type)}";
            case IFieldSymbol field when field.ContainingType.TypeKind == TypeKind.Enum:
                return $"field {RoslynType(field.ContainingType)}.{field.Name} : {RoslynType(field.ContainingType)}";
            case IFieldSymbol field:
                return $"field {RoslynType(field.ContainingType)}.{field.Name} : {RoslynType(field.Type)}";
            case IEventSymbol e:
                return $"event {RoslynType(e.ContainingType)}.{e.Name} : {RoslynType(e.Type)}";
            }
            return null;
        }

        private static string RoslynParameters(IEnumerable<IParameterSymbol> parameters) =>
            string.Join(", ", parameters.Select(p => (p.RefKind switch { RefKind.Out => "out ", RefKind.Ref => "ref ", RefKind.In => "in ", _ => "" }) + RoslynType(p.Type)));

        private static string RoslynType(ITypeSymbol type)
        {
            switch(type)
            {
            case IArrayTypeSymbol array:
                return RoslynType(array.ElementType) + "[]";
            case ITypeParameterSymbol parameter:
                return parameter.Name;
            case INamedTypeSymbol named:
                var prefix = named.ContainingType != null ? RoslynType(named.ContainingType.OriginalDefinition) + "."
                    : named.ContainingNamespace.IsGlobalNamespace ? "" : named.ContainingNamespace.ToDisplayString() + ".";
                var name = prefix + named.MetadataName.Split('`')[0];
                return named.TypeArguments.Length == 0 ? name : name + "<" + string.Join(",", named.TypeArguments.Select(RoslynType)) + ">";
            }
            return type.ToDisplayString();
        }

        // ---- what renode-api provides (reflection) ----

        private static IEnumerable<string> ReflectedSignatures(Assembly assembly)
        {
            const BindingFlags Flags = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;
            foreach(var type in assembly.GetTypes().Where(t => t.IsPublic || t.IsNestedPublic || t.IsNestedFamily || t.IsNestedFamORAssem))
            {
                var typeName = ReflectedType(type);
                yield return "type " + typeName;
                foreach(var constructor in type.GetConstructors(Flags).Where(c => c.IsPublic || c.IsFamily || c.IsFamilyOrAssembly))
                {
                    yield return $"ctor {typeName}({ReflectedParameters(constructor.GetParameters())})";
                }
                foreach(var method in type.GetMethods(Flags).Where(m => (m.IsPublic || m.IsFamily || m.IsFamilyOrAssembly) && (!m.IsSpecialName || m.Name.StartsWith("op_", StringComparison.Ordinal))))
                {
                    var generic = method.IsGenericMethodDefinition ? "<" + string.Join(",", method.GetGenericArguments().Select(a => a.Name)) + ">" : "";
                    yield return $"method {typeName}.{method.Name}{generic}({ReflectedParameters(method.GetParameters())}) : {ReflectedType(method.ReturnType)}";
                }
                foreach(var property in type.GetProperties(Flags).Where(p => p.GetAccessors(true).Any(a => a.IsPublic || a.IsFamily || a.IsFamilyOrAssembly)))
                {
                    yield return $"property {typeName}.{property.Name} : {ReflectedType(property.PropertyType)}";
                }
                foreach(var field in type.GetFields(Flags).Where(f => (f.IsPublic || f.IsFamily || f.IsFamilyOrAssembly) && !f.IsSpecialName))
                {
                    yield return $"field {typeName}.{field.Name} : {ReflectedType(field.FieldType)}";
                }
                foreach(var e in type.GetEvents(Flags))
                {
                    yield return $"event {typeName}.{e.Name} : {ReflectedType(e.EventHandlerType!)}";
                }
            }
        }

        private static string ReflectedParameters(IEnumerable<ParameterInfo> parameters) =>
            string.Join(", ", parameters.Select(p => (p.ParameterType.IsByRef ? (p.IsOut ? "out " : p.IsIn ? "in " : "ref ") : "") + ReflectedType(p.ParameterType.IsByRef ? p.ParameterType.GetElementType()! : p.ParameterType)));

        private static string ReflectedType(Type type)
        {
            if(type.IsArray)
            {
                return ReflectedType(type.GetElementType()!) + "[]";
            }
            if(type.IsGenericParameter)
            {
                return type.Name;
            }
            var prefix = type.IsNested ? ReflectedType(type.DeclaringType!.IsGenericType ? type.DeclaringType.GetGenericTypeDefinition() : type.DeclaringType) + "." : (type.Namespace != null ? type.Namespace + "." : "");
            var name = prefix + type.Name.Split('`')[0];
            var arguments = type.GetGenericArguments();
            if(type.IsNested && type.DeclaringType!.IsGenericType)
            {
                arguments = arguments.Skip(type.DeclaringType.GetGenericArguments().Length).ToArray();
            }
            return arguments.Length == 0 ? name : name + "<" + string.Join(",", arguments.Select(ReflectedType)) + ">";
        }
    }
}
