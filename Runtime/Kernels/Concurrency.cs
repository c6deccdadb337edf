using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Threading;

namespace Compiled.Kernels;

/// <summary>
/// How a generated model shares itself between threads. Inference calls (Predict, Evaluate, the classifier helpers,
/// Save) run concurrently, each on buffers of its own; training calls (TrainStep, ComputeGradients, Fit, Load) are
/// exclusive. A call that finds the other kind in progress throws <see cref="InvalidOperationException"/> before it
/// touches anything. The check is one interlocked operation on entry and one on exit — no lock.
/// </summary>
/// <remarks>
/// Two counters, each changed only by interlocked operations (full fences): a reader increments <c>readers</c> and
/// then reads <c>training</c>; a trainer sets <c>training</c> and then reads <c>readers</c>. Whichever of two
/// overlapping calls comes second sees the first (the store-fence-load order of both sides rules out that neither
/// does), backs out and throws.
/// </remarks>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class Concurrency
{
    /// <summary>Enters an inference call, or throws when a training call is in progress.</summary>
    public static void EnterInference(ref int readers, ref int training, string member)
    {
        Interlocked.Increment(ref readers);
        if (Volatile.Read(ref training) != 0)
        {
            Interlocked.Decrement(ref readers);
            TrainingInProgress(member);
        }
    }

    /// <summary>Ends an inference call.</summary>
    public static void ExitInference(ref int readers) => Interlocked.Decrement(ref readers);

    /// <summary>Enters a training call, or throws when another training call or any inference call is in progress.</summary>
    public static void EnterTraining(ref int readers, ref int training, string member)
    {
        if (Interlocked.CompareExchange(ref training, 1, 0) != 0) TrainingInProgress(member);
        int inference = Volatile.Read(ref readers);
        if (inference != 0)
        {
            Volatile.Write(ref training, 0);
            InferenceInProgress(member, inference);
        }
    }

    /// <summary>Ends a training call.</summary>
    public static void ExitTraining(ref int training) => Volatile.Write(ref training, 0);

    /// <summary>
    /// Publishes a whole value for readers on other threads (a sequence lock): concurrent writers take turns, and
    /// <see cref="Read"/> never returns a mix of two writes. Last writer wins.
    /// </summary>
    public static void Publish<T>(ref T field, ref int version, in T value) where T : struct
    {
        var spin = new SpinWait();
        int v;
        while (true)
        {
            v = Volatile.Read(ref version);
            if ((v & 1) == 0 && Interlocked.CompareExchange(ref version, v + 1, v) == v) break;
            spin.SpinOnce(sleep1Threshold: -1);
        }
        field = value;
        Volatile.Write(ref version, v + 2);
    }

    /// <summary>The value last <see cref="Publish"/>ed, whole.</summary>
    public static T Read<T>(ref T field, ref int version) where T : struct
    {
        var spin = new SpinWait();
        while (true)
        {
            int before = Volatile.Read(ref version);
            if ((before & 1) == 0)
            {
                T copy = field;
                Interlocked.MemoryBarrier();
                if (Volatile.Read(ref version) == before) return copy;
            }
            spin.SpinOnce(sleep1Threshold: -1);
        }
    }

    [DoesNotReturn]
    private static void TrainingInProgress(string member)
        => throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
            "{0} was called while a training call (TrainStep, ComputeGradients, Fit or Load) is in progress on this model. Training is exclusive: " +
            "it must not overlap another training call or an inference call on the same model. Nothing was computed.", member));

    [DoesNotReturn]
    private static void InferenceInProgress(string member, int calls)
        => throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
            "{0} was called while {1} inference call(s) (Predict, Evaluate, Accuracy, PredictClasses, Save) are in progress on this model. Training is " +
            "exclusive: wait for them to finish. Nothing was changed.", member, calls));
}

/// <summary>
/// Spare per-call buffers of one model (its generated <c>Workspace</c>s), handed out and taken back without a lock: a
/// thread keeps the workspace of its last inference call, and gives it back here when it moves to another instance of
/// the same model class. At most <see cref="Capacity"/> are kept; more are left to the collector.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed class WorkspacePool<T> where T : class
{
    /// <summary>How many spare workspaces one model keeps.</summary>
    public const int Capacity = 64;

    private readonly T?[] _slots = new T?[Capacity];

    /// <summary>A spare workspace, or null when there is none.</summary>
    public T? Rent()
    {
        for (int i = 0; i < _slots.Length; i++)
        {
            if (Volatile.Read(ref _slots[i]) is null) continue;
            if (Interlocked.Exchange(ref _slots[i], null) is { } w) return w;
        }
        return null;
    }

    /// <summary>Keeps <paramref name="workspace"/> for a later <see cref="Rent"/>, in the first free slot.</summary>
    public void Return(T workspace)
    {
        for (int i = 0; i < _slots.Length; i++)
            if (Interlocked.CompareExchange(ref _slots[i], workspace, null) is null) return;
    }
}
