namespace Detector.Streams.Actors;

/// <summary>A message in a mailbox, with who sent it and, for an ask, where the reply goes.</summary>
/// <param name="Message">The message.</param>
/// <param name="Sender">The sending actor, if any.</param>
/// <param name="Reply">Completed by <see cref="IActorContext.Respond"/> when the message came from an ask.</param>
internal readonly record struct Envelope(object Message, ActorRef? Sender, TaskCompletionSource<object?>? Reply);
