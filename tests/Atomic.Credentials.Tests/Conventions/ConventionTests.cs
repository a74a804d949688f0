using System.Reflection;

namespace Atomic.Credentials.Tests.Conventions;

public sealed class ConventionTests
{
    // Base classes users are meant to see but not derive from themselves.
    private static readonly Type[] DesignedBases = [typeof(CredentialOptions)];

    private static readonly Type[] PublicTypes =
        [.. typeof(CredentialOptions).Assembly.GetExportedTypes()];

    private static readonly Assembly[] Packages =
    [
        typeof(CredentialOptions).Assembly,
        typeof(Microsoft.Extensions.DependencyInjection.AtomicCredentialsRedisServiceCollectionExtensions).Assembly,
        typeof(PostgreSql.PostgreSqlCredentialStorage).Assembly,
    ];

    // The namespaces of the public contract (DESIGN.md §3): the only ones a public type may be in.
    private static readonly string[] UserNamespaces =
    [
        "Atomic.Credentials", "Atomic.Credentials.Caching", "Atomic.Credentials.Store", "Atomic.Credentials.PostgreSql",
        "Microsoft.Extensions.DependencyInjection",
    ];

    private static readonly HashSet<string?> InternalNamespaces =
    [
        .. Packages
            .SelectMany(package => package.GetTypes())
            .Where(type => type.Namespace is not null && type.Namespace.StartsWith("Atomic.Credentials", StringComparison.Ordinal))
            .Select(type => type.Namespace)
            .Where(space => !UserNamespaces.Contains(space)),
    ];

    [Test]
    public void The_library_exports_types()
    {
        Assert.That(PublicTypes, Has.Length.GreaterThan(5));
    }

    [Test]
    public void Public_classes_are_sealed_or_static()
    {
        var open = PublicTypes
            .Where(type => type.IsClass && !type.IsSealed && !(type.IsAbstract && type.IsSealed))
            .Where(type => !DesignedBases.Contains(type))
            .Select(type => type.FullName);

        Assert.That(open, Is.Empty);
    }

    [Test]
    public void Designed_bases_cannot_be_derived_outside_the_library()
    {
        foreach (var type in DesignedBases)
        {
            var abstractMembers = type.GetMembers(BindingFlags.Instance | BindingFlags.NonPublic)
                .OfType<MethodInfo>()
                .Where(method => method.IsAbstract && method.IsAssembly);
            Assert.That(abstractMembers, Is.Not.Empty, $"{type.Name} needs an internal abstract member so only the library derives from it");
        }
    }

    [Test]
    public void Internal_namespace_has_no_public_types()
    {
        var leaked = Packages
            .SelectMany(package => package.GetExportedTypes())
            .Where(type => InternalNamespaces.Contains(type.Namespace))
            .Select(type => type.FullName);

        Assert.That(leaked, Is.Empty);
    }

    /// <summary>
    /// The internal namespaces are read from the packages, not listed: every namespace a package
    /// declares types in, but those users write in (<see cref="UserNamespaces"/>). A new folder is
    /// covered the day it is added.
    /// </summary>
    [Test]
    public void Internal_namespaces_are_found_in_the_packages()
    {
        Assert.That(
            InternalNamespaces,
            Is.SupersetOf(new[] { "Atomic.Credentials.Internal", "Atomic.Credentials.OAuth", "Atomic.Credentials.Integrations", "Atomic.Credentials.PostgreSql.Internal" }));
    }

    [Test]
    public void Async_methods_end_in_Async_and_take_a_CancellationToken_last()
    {
        var problems = new List<string>();
        foreach (var type in PublicTypes)
        {
            var methods = type.GetMethods(BindingFlags.Public | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly)
                .Where(method => !method.IsSpecialName)
                .Where(method => IsAwaitable(method.ReturnType));
            foreach (var method in methods)
            {
                if (!method.Name.EndsWith("Async", StringComparison.Ordinal))
                {
                    problems.Add($"{type.Name}.{method.Name} returns {method.ReturnType.Name} but does not end in Async");
                }

                var parameters = method.GetParameters();
                if (parameters.Length == 0 || parameters[^1].ParameterType != typeof(CancellationToken))
                {
                    problems.Add($"{type.Name}.{method.Name} does not take a CancellationToken last");
                }
            }
        }

        Assert.That(problems, Is.Empty);
    }

    private static bool IsAwaitable(Type type) =>
        type == typeof(Task) || type == typeof(ValueTask)
        || (type.IsGenericType && (type.GetGenericTypeDefinition() == typeof(Task<>) || type.GetGenericTypeDefinition() == typeof(ValueTask<>)));
}
