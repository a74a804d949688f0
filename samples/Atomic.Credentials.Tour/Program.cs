// The tour: each credential kind authorizing a real request.
//   dotnet run --project samples/Atomic.Credentials.Tour              demo API on 127.0.0.1, no network
//   dotnet run --project samples/Atomic.Credentials.Tour -- my.json   your own credentials and endpoints
using Atomic.Credentials.Tour;
using Atomic.Credentials.Tour.Kinds;

ITourKind[] kinds = [new BasicAuthTour(), new CustomHeadersTour(), new OAuthTour(), new KeyPairTour(), new AwsSignedRequestTour()];

return args.Length > 0
    ? await RealEndpoints.RunAsync(args[0])
    : await DemoTour.RunAsync(kinds);
