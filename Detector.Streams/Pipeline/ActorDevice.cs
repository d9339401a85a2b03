namespace Detector.Streams.Pipeline;

/// <summary>The device a model actor holds, as /status and the detector_model_actor_info metric report it.</summary>
/// <param name="Actor">The actor's name (<c>model-k</c>).</param>
/// <param name="Device">Where it scores: <c>cpu</c> or <c>cuda:N</c>.</param>
/// <param name="Kernels">The kernel backend's name (e.g. <c>cpu</c>, <c>cuda:0/fp32</c>).</param>
public sealed record ActorDevice(string Actor, string Device, string Kernels);
