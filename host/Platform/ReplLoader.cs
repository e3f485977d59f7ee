// Loads a Renode platform description (.repl) into a Machine.
//
// Steps, each reporting errors as "file:line: message" (PlatformLoadException):
//   1. parse the file and its 'using' imports (paths relative to the including file; 'prefixed "p_"' renames the
//      imported entries and the references to them); merge entries that update earlier ones (same name, no type);
//   2. resolve each type under Antmicro.Renode.Peripherals, pick its constructor by matching attribute names to
//      parameter names (IMachine filled in, optional parameters defaulted); other attributes are properties;
//   3. create the peripherals in dependency order (a constructor argument naming another peripheral creates that
//      one first) and name them in the machine (CPUs get their index in that order);
//   4. register them: '@ sysbus <address|range|new Bus.*Registration>' on the bus, then '@ cpuN' attachments;
//   5. set properties, 6. connect GPIOs, 7. hand 'init' statements to InitStatementHandler (the monitor).
using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Reflection;
using Antmicro.Renode.Core;
using Antmicro.Renode.Peripherals;
using Antmicro.Renode.Peripherals.Bus;
using RenodeGic.Host.Emulation;

namespace RenodeGic.Host.Platform
{
    public sealed class ReplLoader
    {
        public const string TypeNamespace = "Antmicro.Renode.Peripherals";

        public ReplLoader(Machine machine)
        {
            this.machine = machine;
        }

        /// <summary>Assemblies searched for peripheral types (besides the host and the GIC peripherals).</summary>
        public static void AddAssembly(Assembly assembly)
        {
            lock(ExtraAssemblies)
            {
                if(!ExtraAssemblies.Contains(assembly))
                {
                    ExtraAssemblies.Add(assembly);
                }
            }
        }

        /// <summary>
        /// Receives each statement of an <c>init: { ... }</c> block after loading: (peripheral name, statement, where).
        /// The monitor executes it with the peripheral as subject. Without a handler, init blocks are an error.
        /// </summary>
        public Action<string, string, SourcePosition>? InitStatementHandler { get; set; }

        /// <summary>Directories tried, in order, for a 'using' path not found next to the including file.</summary>
        public IList<string> SearchDirectories { get; } = new List<string>();

        public void LoadFile(string path)
        {
            var full = Path.GetFullPath(path);
            if(!File.Exists(full))
            {
                throw new PlatformLoadException(path, 0, "platform description file not found");
            }
            Load(File.ReadAllText(full), path, Path.GetDirectoryName(full)!, full);
        }

        /// <summary>Loads description text; <paramref name="fileName"/> names it in errors, usings resolve from <paramref name="baseDirectory"/>.</summary>
        public void LoadString(string text, string fileName = "<string>", string? baseDirectory = null)
        {
            Load(text, fileName, baseDirectory ?? Directory.GetCurrentDirectory());
        }

        private void Load(string text, string fileName, string baseDirectory, string? fullPath = null)
        {
            var entries = new List<MergedEntry>();
            var byName = new Dictionary<string, MergedEntry>(StringComparer.Ordinal);
            var including = new Stack<string>();
            if(fullPath != null)
            {
                including.Push(fullPath);
            }
            Collect(ReplParser.Parse(text, fileName), baseDirectory, entries, byName, including, null);
            new Build(this, entries).Run();
        }

        // ---- step 1: files, usings, merging -------------------------------------------------------------

        private void Collect(ReplDocument document, string directory, List<MergedEntry> entries, Dictionary<string, MergedEntry> byName,
            Stack<string> including, string? prefix)
        {
            WarnAboutRenodeIncompatibilities(document);
            foreach(var directive in document.Usings)
            {
                var path = ResolveUsing(directive, directory);
                var full = Path.GetFullPath(path);
                if(including.Contains(full))
                {
                    throw directive.Position.Error($"'using \"{directive.Path}\"' includes itself (cycle through {string.Join(" -> ", including.Reverse().Select(Path.GetFileName))})");
                }
                including.Push(full);
                var used = ReplParser.Parse(File.ReadAllText(full), DisplayName(path));
                var innerPrefix = (prefix ?? "") + (directive.Prefix ?? "");
                Collect(used, Path.GetDirectoryName(full)!, entries, byName, including, innerPrefix.Length == 0 ? null : innerPrefix);
                including.Pop();
            }
            if(prefix != null)
            {
                ApplyPrefix(document, prefix);
            }
            foreach(var entry in document.Entries)
            {
                if(byName.TryGetValue(entry.Name, out var existing))
                {
                    if(entry.TypeName != null)
                    {
                        if(existing.Position.File == entry.Position.File)
                        {
                            throw entry.Position.Error($"'{entry.Name}' is already defined at {existing.Position}");
                        }
                        entries.Remove(existing);
                        var replacement = new MergedEntry(entry);
                        byName[entry.Name] = replacement;
                        entries.Add(replacement);
                    }
                    else
                    {
                        existing.Update(entry);
                    }
                    continue;
                }
                if(entry.TypeName == null && !machine.TryGetByName(entry.Name, out _))
                {
                    throw entry.Position.Error($"'{entry.Name}' has no type and no earlier definition to update (expected 'name: Type.Name @ registration')");
                }
                var merged = new MergedEntry(entry);
                byName.Add(entry.Name, merged);
                entries.Add(merged);
            }
        }

        /// <summary>Prefix of the warnings logged for syntax our parser accepts but Renode's would reject.</summary>
        public const string RenodeCompatibilityWarning = "not loadable in Renode";

        // Each construct our parser accepts but Renode's grammar (renode src/Renode/PlatformDescription/Syntax/Grammar.cs
        // and PreLexer.cs) rejects is logged at Warning level, so that platforms stay loadable in Renode unchanged.
        private static void WarnAboutRenodeIncompatibilities(ReplDocument document)
        {
            foreach(var warning in document.Warnings)
            {
                Antmicro.Renode.Logging.Logger.Log(Antmicro.Renode.Logging.LogLevel.Warning, "{0}: {1}: {2}", warning.Position, RenodeCompatibilityWarning, warning.Message);
            }
        }

        // How an imported file is named in messages: relative to the working directory when it is below it.
        private static string DisplayName(string resolvedPath)
        {
            var relative = Path.GetRelativePath(Directory.GetCurrentDirectory(), resolvedPath);
            return relative.StartsWith("..", StringComparison.Ordinal) || Path.IsPathRooted(relative) ? Path.GetFullPath(resolvedPath) : relative;
        }

        private string ResolveUsing(UsingDirective directive, string directory)
        {
            var path = directive.Path.StartsWith('@') ? directive.Path.Substring(1) : directive.Path;
            var candidates = new List<string> { Path.Combine(directory, path) };
            candidates.AddRange(SearchDirectories.Select(d => Path.Combine(d, path)));
            foreach(var candidate in candidates)
            {
                if(File.Exists(candidate))
                {
                    return candidate;
                }
            }
            throw directive.Position.Error($"'using' file '{directive.Path}' not found (looked in {string.Join(", ", candidates.Select(c => Path.GetDirectoryName(Path.GetFullPath(c))).Distinct())})");
        }

        private static void ApplyPrefix(ReplDocument document, string prefix)
        {
            var defined = new HashSet<string>(document.Entries.Where(e => e.TypeName != null).Select(e => e.Name), StringComparer.Ordinal);
            string Rename(string name) => defined.Contains(name) ? prefix + name : name;
            void RenameValue(ReplValue? value)
            {
                switch(value)
                {
                case ReferenceValue reference:
                    reference.Name = Rename(reference.Name);
                    break;
                case ListValue list:
                    foreach(var item in list.Items)
                    {
                        RenameValue(item);
                    }
                    break;
                case ObjectValue obj:
                    RenameAttributes(obj.Attributes);
                    break;
                }
            }
            void RenameAttributes(IEnumerable<ReplAttribute> attributes)
            {
                foreach(var attribute in attributes)
                {
                    if(attribute is PropertyAttribute property)
                    {
                        RenameValue(property.Value);
                    }
                    else if(attribute is IrqAttribute irq)
                    {
                        foreach(var destination in irq.Destinations)
                        {
                            destination.Target = Rename(destination.Target);
                        }
                    }
                }
            }
            foreach(var entry in document.Entries)
            {
                entry.Name = Rename(entry.Name);
                foreach(var registration in entry.Registrations ?? Array.Empty<Registration>())
                {
                    registration.Target = Rename(registration.Target);
                    RenameValue(registration.Point);
                }
                RenameAttributes(entry.Attributes);
            }
        }

        /// <summary>An entry with the updates of later entries of the same name folded in.</summary>
        private sealed class MergedEntry
        {
            public MergedEntry(ReplEntry entry)
            {
                Name = entry.Name;
                TypeName = entry.TypeName;
                Position = entry.Position;
                Registrations = entry.Registrations;
                Fold(entry.Attributes);
            }

            public string Name { get; }

            public string? TypeName { get; }

            public SourcePosition Position { get; }

            public IReadOnlyList<Registration>? Registrations { get; private set; }

            public List<PropertyAttribute> Properties { get; } = new List<PropertyAttribute>();

            public List<IrqAttribute> Irqs { get; } = new List<IrqAttribute>();

            public List<InitAttribute> Inits { get; } = new List<InitAttribute>();

            public void Update(ReplEntry entry)
            {
                if(entry.Registrations != null)
                {
                    Registrations = entry.Registrations;
                }
                Fold(entry.Attributes);
            }

            private void Fold(IEnumerable<ReplAttribute> attributes)
            {
                foreach(var attribute in attributes)
                {
                    switch(attribute)
                    {
                    case PropertyAttribute property:
                        Properties.RemoveAll(p => SameName(p.Name, property.Name));
                        if(property.Value is not EmptyValue)
                        {
                            Properties.Add(property);
                        }
                        break;
                    case IrqAttribute irq:
                        Irqs.RemoveAll(i => i.SourceKey == irq.SourceKey);
                        Irqs.Add(irq);
                        break;
                    case InitAttribute init:
                        if(!init.Add)
                        {
                            Inits.RemoveAll(i => i.IsReset == init.IsReset);
                        }
                        Inits.Add(init);
                        break;
                    }
                }
            }
        }

        internal static bool SameName(string a, string b)
        {
            return a.Length == b.Length && a.Length > 0 && char.ToLowerInvariant(a[0]) == char.ToLowerInvariant(b[0])
                && string.CompareOrdinal(a, 1, b, 1, a.Length - 1) == 0;
        }

        // ---- types ----------------------------------------------------------------------------------------

        internal static IEnumerable<Assembly> SearchedAssemblies()
        {
            yield return typeof(ReplLoader).Assembly;
            yield return typeof(Antmicro.Renode.Peripherals.IRQControllers.IGicCpu).Assembly;
            yield return typeof(IPeripheral).Assembly;
            List<Assembly> extra;
            lock(ExtraAssemblies)
            {
                extra = new List<Assembly>(ExtraAssemblies);
            }
            foreach(var assembly in extra)
            {
                yield return assembly;
            }
        }

        internal static Type? FindType(string name)
        {
            lock(TypeCache)
            {
                if(TypeCache.TryGetValue(name, out var cached))
                {
                    return cached;
                }
            }
            Type? found = null;
            foreach(var candidate in new[] { TypeNamespace + "." + name, name })
            {
                foreach(var assembly in SearchedAssemblies())
                {
                    found = assembly.GetType(candidate) ?? assembly.GetType(NestedForm(candidate));
                    if(found != null)
                    {
                        break;
                    }
                }
                if(found != null)
                {
                    break;
                }
            }
            if(found != null)
            {
                lock(TypeCache)
                {
                    TypeCache[name] = found;
                }
            }
            return found;
        }

        // "A.B.Outer.Inner" as reflection spells a nested type: "A.B.Outer+Inner".
        private static string NestedForm(string name)
        {
            var dot = name.LastIndexOf('.');
            return dot < 0 ? name : name.Substring(0, dot) + "+" + name.Substring(dot + 1);
        }

        // ---- steps 2..7 -------------------------------------------------------------------------------------

        private sealed class Build
        {
            public Build(ReplLoader loader, List<MergedEntry> entries)
            {
                this.loader = loader;
                this.entries = entries;
                machine = loader.machine;
            }

            public void Run()
            {
                var plans = new List<Plan>();
                foreach(var entry in entries)
                {
                    plans.Add(Prepare(entry));
                }
                foreach(var plan in Order(plans))
                {
                    Create(plan);
                }
                foreach(var plan in plans.Where(p => p.Entry.Registrations != null))
                {
                    foreach(var registration in plan.Entry.Registrations!.Where(r => r.Target == Machine.SystemBusName))
                    {
                        RegisterOnBus(plan, registration);
                    }
                }
                foreach(var plan in plans.Where(p => p.Entry.Registrations != null))
                {
                    foreach(var registration in plan.Entry.Registrations!.Where(r => r.Target != Machine.SystemBusName))
                    {
                        RegisterAt(plan, registration);
                    }
                }
                foreach(var plan in plans)
                {
                    foreach(var property in plan.PropertyAttributes)
                    {
                        SetProperty(plan, property);
                    }
                }
                foreach(var plan in plans)
                {
                    foreach(var irq in plan.Entry.Irqs)
                    {
                        Connect(plan, irq);
                    }
                }
                foreach(var plan in plans)
                {
                    foreach(var init in plan.Entry.Inits.Where(i => !i.IsReset))
                    {
                        foreach(var statement in init.Statements)
                        {
                            if(loader.InitStatementHandler == null)
                            {
                                throw init.Position.Error("'init' blocks need the monitor to run them (no InitStatementHandler installed)");
                            }
                            loader.InitStatementHandler(plan.Entry.Name, statement, init.Position);
                        }
                    }
                }
            }

            private Plan Prepare(MergedEntry entry)
            {
                if(entry.TypeName == null)
                {
                    machine.TryGetByName(entry.Name, out var existing);
                    var plan = new Plan(entry, existing.GetType()) { Instance = existing };
                    foreach(var property in entry.Properties)
                    {
                        plan.PropertyAttributes.Add(property);
                        FindProperty(plan.Type, property);
                    }
                    return plan;
                }
                var type = FindType(entry.TypeName)
                    ?? throw entry.Position.Error($"unknown type '{entry.TypeName}' (expected a type under {TypeNamespace})");
                if(!typeof(IPeripheral).IsAssignableFrom(type))
                {
                    throw entry.Position.Error($"type '{entry.TypeName}' is not a peripheral (it does not implement IPeripheral)");
                }
                var result = new Plan(entry, type);
                result.Constructor = ChooseConstructor(type, entry.Properties, entry.Position, $"'{entry.Name}'", out var consumed);
                foreach(var property in entry.Properties)
                {
                    if(consumed.Contains(property))
                    {
                        result.ConstructorAttributes.Add(property);
                    }
                    else
                    {
                        FindProperty(type, property);
                        result.PropertyAttributes.Add(property);
                    }
                }
                return result;
            }

            private static PropertyInfo FindProperty(Type type, PropertyAttribute attribute)
            {
                var property = type.GetProperties(BindingFlags.Public | BindingFlags.Instance)
                    .FirstOrDefault(p => SameName(p.Name, attribute.Name) && p.SetMethod?.IsPublic == true);
                return property ?? throw attribute.Position.Error(
                    $"unknown property '{attribute.Name}' of {type.Name} (not a constructor parameter or a settable property)");
            }

            private static ConstructorInfo ChooseConstructor(Type type, IReadOnlyList<PropertyAttribute> attributes, SourcePosition position, string what,
                out HashSet<PropertyAttribute> consumed)
            {
                ConstructorInfo? best = null;
                var bestCount = -1;
                string? firstMissing = null;
                consumed = new HashSet<PropertyAttribute>();
                foreach(var constructor in type.GetConstructors(BindingFlags.Public | BindingFlags.Instance))
                {
                    var used = new HashSet<PropertyAttribute>();
                    string? missing = null;
                    foreach(var parameter in constructor.GetParameters())
                    {
                        var attribute = attributes.FirstOrDefault(a => SameName(a.Name, parameter.Name ?? ""));
                        if(attribute != null)
                        {
                            used.Add(attribute);
                        }
                        else if(!parameter.HasDefaultValue && !IsMachineParameter(parameter.ParameterType))
                        {
                            missing ??= parameter.Name;
                        }
                    }
                    if(missing != null)
                    {
                        firstMissing ??= missing;
                        continue;
                    }
                    if(used.Count > bestCount)
                    {
                        best = constructor;
                        bestCount = used.Count;
                        consumed = used;
                    }
                }
                return best ?? throw position.Error(firstMissing != null
                    ? $"{what} ({type.Name}) needs constructor parameter '{firstMissing}' (expected '{firstMissing}: value')"
                    : $"{what}: {type.Name} has no public constructor");
            }

            private static bool IsMachineParameter(Type type) => type == typeof(IMachine) || type == typeof(Machine);

            // Stable topological order by constructor references: file order unless a reference forces otherwise.
            private List<Plan> Order(List<Plan> plans)
            {
                var byName = plans.ToDictionary(p => p.Entry.Name, StringComparer.Ordinal);
                var result = new List<Plan>();
                var state = new Dictionary<Plan, int>();
                void Visit(Plan plan, Stack<Plan> path)
                {
                    state.TryGetValue(plan, out var s);
                    if(s == 2)
                    {
                        return;
                    }
                    if(s == 1)
                    {
                        var cycle = path.Reverse().SkipWhile(p => p != plan).Select(p => p.Entry.Name).Append(plan.Entry.Name);
                        throw plan.Entry.Position.Error($"constructor references form a cycle: {string.Join(" -> ", cycle)}");
                    }
                    state[plan] = 1;
                    path.Push(plan);
                    foreach(var attribute in plan.ConstructorAttributes)
                    {
                        foreach(var reference in References(attribute.Value))
                        {
                            if(byName.TryGetValue(reference.Name, out var dependency))
                            {
                                Visit(dependency, path);
                            }
                        }
                    }
                    path.Pop();
                    state[plan] = 2;
                    result.Add(plan);
                }
                foreach(var plan in plans)
                {
                    Visit(plan, new Stack<Plan>());
                }
                return result;
            }

            private static IEnumerable<ReferenceValue> References(ReplValue value)
            {
                switch(value)
                {
                case ReferenceValue reference:
                    yield return reference;
                    break;
                case ListValue list:
                    foreach(var item in list.Items.SelectMany(References))
                    {
                        yield return item;
                    }
                    break;
                case ObjectValue obj:
                    foreach(var item in obj.Attributes.OfType<PropertyAttribute>().SelectMany(a => References(a.Value)))
                    {
                        yield return item;
                    }
                    break;
                }
            }

            private void Create(Plan plan)
            {
                if(plan.Instance != null)
                {
                    return;
                }
                plan.Instance = (IPeripheral)Construct(plan.Type, plan.Constructor!, plan.ConstructorAttributes, plan.Entry.Position, $"'{plan.Entry.Name}'");
                try
                {
                    machine.Register(plan.Entry.Name, plan.Instance);
                }
                catch(ArgumentException e)
                {
                    throw plan.Entry.Position.Error($"cannot name '{plan.Entry.Name}': {e.Message}");
                }
            }

            private object Construct(Type type, ConstructorInfo constructor, IReadOnlyList<PropertyAttribute> attributes, SourcePosition position, string what)
            {
                var parameters = constructor.GetParameters();
                var arguments = new object?[parameters.Length];
                for(var i = 0; i < parameters.Length; i++)
                {
                    var parameter = parameters[i];
                    var attribute = attributes.FirstOrDefault(a => SameName(a.Name, parameter.Name ?? ""));
                    if(attribute != null)
                    {
                        arguments[i] = Convert(attribute.Value, parameter.ParameterType, $"constructor parameter '{parameter.Name}' of {type.Name}");
                    }
                    else if(IsMachineParameter(parameter.ParameterType))
                    {
                        arguments[i] = machine;
                    }
                    else
                    {
                        arguments[i] = parameter.DefaultValue is DBNull ? null : parameter.DefaultValue;
                    }
                }
                try
                {
                    return constructor.Invoke(arguments);
                }
                catch(TargetInvocationException e) when(e.InnerException != null)
                {
                    throw position.Error($"creating {what} ({type.Name}) failed: {e.InnerException.Message}", e.InnerException);
                }
            }

            private IPeripheral Lookup(string name, SourcePosition position, string expected)
            {
                if(machine.TryGetByName(name, out var peripheral))
                {
                    return peripheral;
                }
                throw position.Error($"unknown peripheral '{name}' ({expected})");
            }

            private void RegisterOnBus(Plan plan, Registration registration)
            {
                var peripheral = plan.Instance!;
                var name = plan.Entry.Name;
                try
                {
                    switch(registration.Point)
                    {
                    case null:
                        if(peripheral is IBusPeripheral || peripheral is Antmicro.Renode.Peripherals.Memory.MappedMemory)
                        {
                            throw registration.Position.Error($"'{name}' needs an address on the bus (expected '@ sysbus 0x...')");
                        }
                        break;
                    case NumberValue number:
                        machine.SystemBus.Register(peripheral, ToAddress(number), name);
                        break;
                    case RangeValue range:
                        machine.SystemBus.Register(peripheral, range.Start, name, range.Size);
                        break;
                    case ObjectValue obj:
                        RegisterObject(peripheral, name, obj);
                        break;
                    default:
                        throw registration.Position.Error($"expected an address, a range or 'new Bus.BusMultiRegistration {{ ... }}' after '@ sysbus', found {registration.Point.Describe()}");
                    }
                }
                catch(BusRegistrationException e)
                {
                    throw registration.Position.Error(e.Message);
                }
            }

            private void RegisterObject(IPeripheral peripheral, string name, ObjectValue obj)
            {
                var kind = obj.TypeName.StartsWith("Bus.", StringComparison.Ordinal) ? obj.TypeName.Substring(4) : obj.TypeName;
                var known = new Dictionary<string, string[]>
                {
                    ["BusMultiRegistration"] = new[] { "address", "size", "region" },
                    ["BusRangeRegistration"] = new[] { "address", "size" },
                    ["BusPointRegistration"] = new[] { "address" },
                };
                if(!known.TryGetValue(kind, out var allowed))
                {
                    throw obj.Position.Error($"unsupported registration '{obj.TypeName}' (expected Bus.BusPointRegistration, Bus.BusRangeRegistration or Bus.BusMultiRegistration)");
                }
                var values = new Dictionary<string, ReplValue>(StringComparer.Ordinal);
                foreach(var attribute in obj.Attributes)
                {
                    if(attribute is not PropertyAttribute property || !allowed.Contains(property.Name))
                    {
                        throw attribute.Position.Error($"{obj.TypeName} takes only {string.Join(", ", allowed)}");
                    }
                    values[property.Name] = property.Value;
                }
                foreach(var required in allowed)
                {
                    if(!values.ContainsKey(required))
                    {
                        throw obj.Position.Error($"{obj.TypeName} needs '{required}: ...'");
                    }
                }
                var address = (ulong)Convert(values["address"], typeof(ulong), "address")!;
                var size = values.TryGetValue("size", out var s) ? (ulong?)Convert(s, typeof(ulong), "size") : null;
                if(values.TryGetValue("region", out var r))
                {
                    var region = (string)Convert(r, typeof(string), "region")!;
                    machine.SystemBus.RegisterRegion(peripheral, region, address, size!.Value, name);
                }
                else
                {
                    machine.SystemBus.Register(peripheral, address, name, size);
                }
            }

            private static ulong ToAddress(NumberValue number)
            {
                if(!ReplParser.TryParseInteger(number.Text, out var address))
                {
                    throw number.Position.Error($"bad address '{number.Text}' (expected a non-negative integer)");
                }
                return address;
            }

            private void RegisterAt(Plan plan, Registration registration)
            {
                var target = Lookup(registration.Target, registration.Position, "expected 'sysbus', 'none' or a CPU name after '@'");
                if(target is IHostCpu cpu)
                {
                    if(plan.Instance is not ICpuAttached attached)
                    {
                        throw registration.Position.Error($"'{plan.Entry.Name}' ({plan.Type.Name}) cannot be registered at CPU '{registration.Target}' (it does not implement ICpuAttached)");
                    }
                    if(registration.Point != null)
                    {
                        throw registration.Position.Error($"unexpected {registration.Point.Describe()} after '@ {registration.Target}' (a CPU registration takes no address)");
                    }
                    attached.AttachTo(cpu);
                    return;
                }
                throw registration.Position.Error($"cannot register '{plan.Entry.Name}' at '{registration.Target}' ({target.GetType().Name}): only 'sysbus' and CPUs take registrations here");
            }

            private void SetProperty(Plan plan, PropertyAttribute attribute)
            {
                var property = FindProperty(plan.Type, attribute);
                var value = Convert(attribute.Value, property.PropertyType, $"property '{property.Name}' of {plan.Type.Name}");
                try
                {
                    property.SetValue(plan.Instance, value);
                }
                catch(TargetInvocationException e) when(e.InnerException != null)
                {
                    throw attribute.Position.Error($"setting '{property.Name}' of '{plan.Entry.Name}' failed: {e.InnerException.Message}", e.InnerException);
                }
            }

            // ---- GPIO wiring ----

            private void Connect(Plan plan, IrqAttribute irq)
            {
                var source = plan.Instance!;
                var outputs = new List<(IGPIO Gpio, string Label)>();
                if(irq.Sources == null)
                {
                    outputs.Add(DefaultGpio(plan, irq.Position));
                }
                else
                {
                    foreach(var end in irq.Sources)
                    {
                        outputs.Add(end.Name != null ? NamedGpio(plan, end.Name, irq.Position) : NumberedGpio(plan, end.Number, irq.Position));
                    }
                }
                if(irq.Destinations.Count == 0)
                {
                    foreach(var output in outputs)
                    {
                        output.Gpio.Disconnect();
                    }
                    return;
                }
                foreach(var destination in irq.Destinations)
                {
                    var target = Lookup(destination.Target, irq.Position, "expected a GPIO receiver such as 'gic@1' or 'cpu0@0'");
                    IGPIOReceiver receiver;
                    if(destination.LocalIndex is int local)
                    {
                        if(target is not ILocalGPIOReceiver localReceiver)
                        {
                            throw irq.Position.Error($"'{destination.Target}' ({target.GetType().Name}) has no local receivers ('#{local}' needs ILocalGPIOReceiver)");
                        }
                        try
                        {
                            receiver = localReceiver.GetLocalReceiver(local);
                        }
                        catch(Exception e) when(e is ArgumentException || e is IndexOutOfRangeException || e is KeyNotFoundException)
                        {
                            throw irq.Position.Error($"'{destination.Target}' has no local receiver #{local}: {e.Message}");
                        }
                    }
                    else
                    {
                        receiver = target as IGPIOReceiver
                            ?? throw irq.Position.Error($"'{destination.Target}' ({target.GetType().Name}) is not a GPIO receiver (it does not implement IGPIOReceiver)");
                    }
                    if(destination.Numbers.Count != outputs.Count)
                    {
                        throw irq.Position.Error($"{outputs.Count} GPIO source(s) but {destination.Numbers.Count} input(s) at '{destination.Target}' (expected the same number on both sides of '->')");
                    }
                    for(var i = 0; i < outputs.Count; i++)
                    {
                        outputs[i].Gpio.Connect(receiver, destination.Numbers[i]);
                    }
                }
            }

            private static (IGPIO, string) DefaultGpio(Plan plan, SourcePosition position)
            {
                var gpios = GpioProperties(plan.Type).ToList();
                if(gpios.Count == 1)
                {
                    return (GetGpio(plan, gpios[0], position), gpios[0].Name);
                }
                if(gpios.Count == 0 && plan.Instance is INumberedGPIOOutput numbered && numbered.Connections.Count == 1)
                {
                    var only = numbered.Connections.First();
                    return (only.Value, only.Key.ToString(CultureInfo.InvariantCulture));
                }
                throw position.Error(gpios.Count == 0
                    ? $"'{plan.Entry.Name}' ({plan.Type.Name}) has no GPIO output to connect"
                    : $"'{plan.Entry.Name}' ({plan.Type.Name}) has {gpios.Count} GPIO outputs ({string.Join(", ", gpios.Select(g => g.Name))}); name one, e.g. '{gpios[0].Name} -> ...'");
            }

            private static IEnumerable<PropertyInfo> GpioProperties(Type type) =>
                type.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => typeof(IGPIO).IsAssignableFrom(p.PropertyType) && p.GetIndexParameters().Length == 0);

            private static IGPIO GetGpio(Plan plan, PropertyInfo property, SourcePosition position)
            {
                return property.GetValue(plan.Instance) as IGPIO ?? throw position.Error($"GPIO '{property.Name}' of '{plan.Entry.Name}' is null");
            }

            private static (IGPIO, string) NamedGpio(Plan plan, string name, SourcePosition position)
            {
                var property = GpioProperties(plan.Type).FirstOrDefault(p => p.Name == name)
                    ?? throw position.Error($"'{plan.Entry.Name}' ({plan.Type.Name}) has no GPIO named '{name}'"
                        + (GpioProperties(plan.Type).Any() ? $" (it has {string.Join(", ", GpioProperties(plan.Type).Select(g => g.Name))})" : ""));
                return (GetGpio(plan, property, position), name);
            }

            private static (IGPIO, string) NumberedGpio(Plan plan, int number, SourcePosition position)
            {
                if(plan.Instance is not INumberedGPIOOutput numbered)
                {
                    throw position.Error($"'{plan.Entry.Name}' ({plan.Type.Name}) has no numbered GPIO outputs (it does not implement INumberedGPIOOutput)");
                }
                if(!numbered.Connections.TryGetValue(number, out var gpio))
                {
                    throw position.Error($"'{plan.Entry.Name}' has no GPIO output {number} (it has {numbered.Connections.Count}: {DescribeKeys(numbered.Connections.Keys)})");
                }
                return (gpio, number.ToString(CultureInfo.InvariantCulture));
            }

            private static string DescribeKeys(IEnumerable<int> keys)
            {
                var sorted = keys.OrderBy(k => k).ToList();
                return sorted.Count == 0 ? "none" : sorted.Count == sorted[^1] - sorted[0] + 1 ? $"{sorted[0]}-{sorted[^1]}" : string.Join(", ", sorted);
            }

            // ---- value conversion ----

            private object? Convert(ReplValue value, Type target, string what)
            {
                var underlying = Nullable.GetUnderlyingType(target);
                if(value is NoneValue)
                {
                    if(target.IsValueType && underlying == null)
                    {
                        throw value.Position.Error($"'none' cannot be given for {what} (type {TypeName(target)})");
                    }
                    return null;
                }
                target = underlying ?? target;
                switch(value)
                {
                case NumberValue number:
                    return ConvertNumber(number, target, what);
                case StringValue text when target == typeof(string) || target == typeof(object):
                    return text.Text;
                case BoolValue flag when target == typeof(bool) || target == typeof(object):
                    return flag.Value;
                case ReferenceValue reference:
                    var peripheral = Lookup(reference.Name, reference.Position, $"expected a peripheral name for {what}");
                    if(!target.IsInstanceOfType(peripheral))
                    {
                        throw reference.Position.Error($"'{reference.Name}' is a {peripheral.GetType().Name}, but {what} needs a {TypeName(target)}");
                    }
                    return peripheral;
                case EnumValue enumValue when target.IsEnum:
                    return ConvertEnum(enumValue, target, what);
                case ListValue list when ElementType(target) is Type element:
                    var array = Array.CreateInstance(element, list.Items.Count);
                    for(var i = 0; i < list.Items.Count; i++)
                    {
                        array.SetValue(Convert(list.Items[i], element, what + " element"), i);
                    }
                    if(target.IsArray || target.IsAssignableFrom(array.GetType()))
                    {
                        return array;
                    }
                    var collection = (IList)Activator.CreateInstance(typeof(List<>).MakeGenericType(element))!;
                    foreach(var item in array)
                    {
                        collection.Add(item);
                    }
                    return collection;
                case ObjectValue obj:
                    var type = FindType(obj.TypeName) ?? throw obj.Position.Error($"unknown type '{obj.TypeName}' (expected a type under {TypeNamespace})");
                    if(!target.IsAssignableFrom(type))
                    {
                        throw obj.Position.Error($"'new {obj.TypeName}' is not a {TypeName(target)} as {what} needs");
                    }
                    var attributes = obj.Attributes.Select(a => a as PropertyAttribute ?? throw a.Position.Error("only 'name: value' attributes are allowed in 'new ...'")).ToList();
                    var constructor = ChooseConstructor(type, attributes, obj.Position, "new " + obj.TypeName, out var consumed);
                    var instance = Construct(type, constructor, attributes.Where(consumed.Contains).ToList(), obj.Position, "new " + obj.TypeName);
                    foreach(var attribute in attributes.Where(a => !consumed.Contains(a)))
                    {
                        var property = FindProperty(type, attribute);
                        property.SetValue(instance, Convert(attribute.Value, property.PropertyType, $"property '{property.Name}' of {type.Name}"));
                    }
                    return instance;
                case EmptyValue:
                    return target.IsValueType ? Activator.CreateInstance(target) : null;
                }
                throw value.Position.Error($"{what} needs a {TypeName(target)}, not {value.Describe()}");
            }

            private static Type? ElementType(Type target)
            {
                if(target.IsArray)
                {
                    return target.GetElementType();
                }
                if(target.IsGenericType)
                {
                    var definition = target.GetGenericTypeDefinition();
                    if(definition == typeof(List<>) || definition == typeof(IList<>) || definition == typeof(IEnumerable<>)
                        || definition == typeof(IReadOnlyList<>) || definition == typeof(ICollection<>) || definition == typeof(IReadOnlyCollection<>))
                    {
                        return target.GetGenericArguments()[0];
                    }
                }
                return null;
            }

            private static object ConvertNumber(NumberValue number, Type target, string what)
            {
                var text = number.Text;
                var negative = text.StartsWith('-');
                var digits = negative ? text.Substring(1) : text;
                if(target == typeof(double) || target == typeof(float) || target == typeof(decimal))
                {
                    double d;
                    if(digits.StartsWith("0x", StringComparison.Ordinal))
                    {
                        ReplParser.TryParseInteger(digits, out var u);
                        d = u;
                    }
                    else if(!double.TryParse(digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out d))
                    {
                        throw number.Position.Error($"bad number '{text}' for {what}");
                    }
                    d = negative ? -d : d;
                    return target == typeof(double) ? d : target == typeof(float) ? (float)d : (decimal)d;
                }
                var integral = target.IsEnum ? Enum.GetUnderlyingType(target) : target == typeof(object) ? typeof(long) : target;
                if(Type.GetTypeCode(integral) is < TypeCode.SByte or > TypeCode.UInt64)
                {
                    throw number.Position.Error($"{what} needs a {TypeName(target)}, not the number {text}");
                }
                if(!ReplParser.TryParseInteger(digits, out var magnitude))
                {
                    throw number.Position.Error($"bad number '{text}' for {what} (expected an integer)");
                }
                try
                {
                    object result = negative
                        ? System.Convert.ChangeType(checked(-(long)magnitude), integral, CultureInfo.InvariantCulture)
                        : System.Convert.ChangeType(magnitude, integral, CultureInfo.InvariantCulture);
                    return target.IsEnum ? Enum.ToObject(target, result) : result;
                }
                catch(OverflowException)
                {
                    throw number.Position.Error($"number {text} does not fit {what} (type {TypeName(integral)})");
                }
            }

            private static object ConvertEnum(EnumValue value, Type target, string what)
            {
                if(value.TypePath.Length > 0)
                {
                    var full = target.FullName!.Replace('+', '.');
                    var path = value.TypePath;
                    var matches = full == path || full.EndsWith("." + path, StringComparison.Ordinal) || FindType(path) == target;
                    if(!matches)
                    {
                        throw value.Position.Error($"'{value.Describe()}' is not a value of {target.Name}, which {what} needs");
                    }
                }
                var name = Enum.GetNames(target).FirstOrDefault(n => n == value.Member)
                    ?? throw value.Position.Error($"{target.Name} has no value '{value.Member}' (it has {string.Join(", ", Enum.GetNames(target))})");
                return Enum.Parse(target, name);
            }

            private static string TypeName(Type type) => type.Name switch
            {
                "UInt64" => "ulong",
                "Int64" => "long",
                "UInt32" => "uint",
                "Int32" => "int",
                "UInt16" => "ushort",
                "Int16" => "short",
                "Byte" => "byte",
                "Boolean" => "bool",
                "String" => "string",
                _ => type.Name,
            };

            private sealed class Plan
            {
                public Plan(MergedEntry entry, Type type)
                {
                    Entry = entry;
                    Type = type;
                }

                public MergedEntry Entry { get; }

                public Type Type { get; }

                public ConstructorInfo? Constructor { get; set; }

                public List<PropertyAttribute> ConstructorAttributes { get; } = new List<PropertyAttribute>();

                public List<PropertyAttribute> PropertyAttributes { get; } = new List<PropertyAttribute>();

                public IPeripheral? Instance { get; set; }
            }

            private readonly ReplLoader loader;
            private readonly List<MergedEntry> entries;
            private readonly Machine machine;
        }

        private static readonly List<Assembly> ExtraAssemblies = new List<Assembly>();
        private static readonly Dictionary<string, Type?> TypeCache = new Dictionary<string, Type?>(StringComparer.Ordinal);

        private readonly Machine machine;
    }
}
