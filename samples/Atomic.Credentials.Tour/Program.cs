// The tour: the Atomic platform's credentials workflow on the embedded store, then each kind configured at start-up.
//   dotnet run --project samples/Atomic.Credentials.Tour                       demo API on 127.0.0.1, no network;
//                                                                              store file under the temp folder
//   dotnet run --project samples/Atomic.Credentials.Tour -- --store my.db      the store file of your choice
//   dotnet run --project samples/Atomic.Credentials.Tour -- my.json            your own credentials and endpoints
using Atomic.Credentials.Tour;
using Atomic.Credentials.Tour.Kinds;

ITourKind[] kinds = [new BasicAuthTour(), new CustomHeadersTour(), new OAuthTour(), new KeyPairTour(), new AwsSignedRequestTour(), new PresetsTour()];

return args switch
{
    [] => await DemoTour.RunAsync(kinds, DemoTour.DefaultStorePath),
    ["--store", var store] => await DemoTour.RunAsync(kinds, store),
    [var file] when !file.StartsWith("--", StringComparison.Ordinal) => await RealEndpoints.RunAsync(file),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: Atomic.Credentials.Tour [--store PATH | my.json]");
    return 2;
}
