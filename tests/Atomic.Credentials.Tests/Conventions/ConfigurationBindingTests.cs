using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;

namespace Atomic.Credentials.Tests.Conventions;

/// <summary>
/// Options bind through the configuration binder's source generator, so trimmed and Native AOT apps
/// bind every kind without reflection. A Bind or Configure call the generator cannot intercept (a
/// generic helper, a type it cannot bind) compiles to a call into the reflection binder: these tests
/// read the compiled library and find none, and find generated binding code for every options class.
/// </summary>
public sealed class ConfigurationBindingTests
{
    private static readonly string[] ReflectionBinders =
    [
        "Microsoft.Extensions.Configuration.ConfigurationBinder",
        "Microsoft.Extensions.DependencyInjection.OptionsBuilderConfigurationExtensions",
        "Microsoft.Extensions.DependencyInjection.OptionsConfigurationServiceCollectionExtensions",
    ];

    private static readonly Assembly Library = typeof(CredentialOptions).Assembly;

    [Test]
    public void The_library_calls_no_reflection_binder()
    {
        var calls = CalledMembers().Where(member => ReflectionBinders.Any(binder => member.StartsWith(binder + "::", StringComparison.Ordinal)));

        Assert.That(calls, Is.Empty, "a Bind/Configure call was not intercepted by the binder's source generator");
    }

    [Test]
    public void Every_options_class_is_bound_by_generated_code()
    {
        var optionsClasses = Library.GetExportedTypes()
            .Where(type => type.IsSubclassOf(typeof(CredentialOptions)))
            .ToList();
        var generated = Library.GetTypes()
            .Where(type => type.Namespace == "Microsoft.Extensions.Configuration.Binder.SourceGeneration" && type.Name.EndsWith("BindingExtensions", StringComparison.Ordinal))
            .SelectMany(type => type.GetMethods(BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic))
            .Where(method => method.Name == "BindCore")
            .Select(method => method.GetParameters()[1].ParameterType.GetElementType())
            .ToHashSet();

        Assert.That(optionsClasses, Is.Not.Empty);
        Assert.That(optionsClasses.Where(type => !generated.Contains(type)).Select(type => type.Name), Is.Empty,
            "options classes with no generated binding code");
    }

    /// <summary>Every method or field of another assembly that the library's IL refers to, as Namespace.Type::Member.</summary>
    private static List<string> CalledMembers()
    {
        using var stream = File.OpenRead(Library.Location);
        using var pe = new PEReader(stream);
        var metadata = pe.GetMetadataReader();
        return metadata.MemberReferences
            .Select(metadata.GetMemberReference)
            .Where(member => member.Parent.Kind == HandleKind.TypeReference)
            .Select(member =>
            {
                var type = metadata.GetTypeReference((TypeReferenceHandle)member.Parent);
                return $"{metadata.GetString(type.Namespace)}.{metadata.GetString(type.Name)}::{metadata.GetString(member.Name)}";
            })
            .ToList();
    }
}
