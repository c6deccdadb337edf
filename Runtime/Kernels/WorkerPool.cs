using System;
using System.ComponentModel;
using System.Runtime.CompilerServices;
using System.Threading;

namespace Compiled.Kernels;

/// <summary>
/// Persistent worker threads that split one kernel call across cores without allocating: the caller publishes a
/// function pointer and a pointer to a job on its own stack, does part 0 itself, and waits for the workers' parts.
/// Workers spin for a while after each job (the next kernel call of a training step comes within microseconds), then
/// sleep. One pool per thread count is shared by every model in the process; a call that finds its pool busy (another
/// model training on another thread) simply runs on the calling thread. Any number of threads up to
/// <see cref="MaxThreads"/> works on any machine (more threads than cores only costs time).
/// An exception in any part never escapes on a worker: the caller waits for every part, then rethrows the first.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public sealed unsafe class WorkerPool
{
    /// <summary>The largest thread count a pool (and a model's <c>Threads</c>) accepts.</summary>
    public const int MaxThreads = 64;

    private static readonly WorkerPool?[] Pools = new WorkerPool?[MaxThreads + 1];

    /// <summary>How long an idle worker spins before it sleeps (the gap between two kernels of one step is far shorter).</summary>
    private const int SpinIterations = 20_000;

    private readonly object _gate = new();
    private readonly int _threads;
    private int _busy;
    private volatile int _generation;
    private volatile int _pending;
    private delegate*<void*, int, int, void> _work;
    private void* _job;
    private Exception? _failure;
    private readonly long[] _allocated;

    private WorkerPool(int threads)
    {
        _threads = threads;
        _allocated = new long[threads];
        for (int i = 1; i < threads; i++)
        {
            var t = new Thread(Loop) { IsBackground = true, Name = "Compiled worker " + i.ToString(System.Globalization.CultureInfo.InvariantCulture) };
            t.Start(i);
        }
    }

    /// <summary>
    /// Bytes the worker threads have allocated in their lifetime, as of the end of their last job (each worker records
    /// its own per-thread counter): lets tests prove that the workers' share of a step allocates nothing.
    /// </summary>
    internal long WorkerAllocatedBytes
    {
        get
        {
            long sum = 0;
            for (int i = 1; i < _allocated.Length; i++) sum += Volatile.Read(ref _allocated[i]);
            return sum;
        }
    }

    /// <summary>Threads taking part in a job, the caller included.</summary>
    public int Threads => _threads;

    /// <summary>The shared pool for <paramref name="threads"/> threads (created on first use), or null for one thread.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is outside 1..<see cref="MaxThreads"/>.</exception>
    public static WorkerPool? ForThreads(int threads)
    {
        if ((uint)(threads - 1) >= MaxThreads) ThrowHelper.ThreadCount(threads, MaxThreads);
        if (threads == 1) return null;
        WorkerPool? pool = Volatile.Read(ref Pools[threads]);
        if (pool is not null) return pool;
        lock (Pools)
            return Pools[threads] ??= new WorkerPool(threads);
    }

    /// <summary>
    /// Runs <paramref name="work"/>(job, part, parts) for every part in [0, parts) and returns when all are done. The
    /// job must stay valid until then (the caller's stack frame does). If any part throws, every other part still runs
    /// to its end before this returns, and the first exception is rethrown here, on the calling thread.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal void Run(delegate*<void*, int, int, void> work, void* job)
    {
        if (Interlocked.CompareExchange(ref _busy, 1, 0) != 0)
        {
            work(job, 0, 1); // the pool is serving another caller: do it all here
            return;
        }
        Exception? failure = null;
        try
        {
            _work = work;
            _job = job;
            _failure = null;
            _pending = _threads - 1;
            lock (_gate)
            {
                _generation++;
                Monitor.PulseAll(_gate);
            }
            try
            {
                work(job, 0, _threads);
            }
            catch (Exception e)
            {
                failure = e;
            }
            // Always wait: the workers read the job from the caller's stack frame, which must outlive them.
            var spin = new SpinWait();
            while (_pending != 0) spin.SpinOnce(sleep1Threshold: -1);
            failure ??= _failure;
        }
        finally
        {
            Volatile.Write(ref _busy, 0);
        }
        if (failure is not null) System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(failure);
    }

    private void Loop(object? state)
    {
        int part = (int)state!;
        int seen = 0;
        while (true)
        {
            // Spin first: within a training step the next job arrives in microseconds.
            int spins = 0;
            while (_generation == seen && spins < SpinIterations)
            {
                Thread.SpinWait(20);
                spins++;
            }
            if (_generation == seen)
            {
                lock (_gate)
                    while (_generation == seen) Monitor.Wait(_gate);
            }
            seen = _generation;
            try
            {
                _work(_job, part, _threads);
            }
            catch (Exception e)
            {
                // Never let it escape on this thread (that would end the process): the caller rethrows it.
                Interlocked.CompareExchange(ref _failure, e, null);
            }
            Volatile.Write(ref _allocated[part], GC.GetAllocatedBytesForCurrentThread());
            Interlocked.Decrement(ref _pending);
        }
    }
}
