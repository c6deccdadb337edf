using System;
using System.Diagnostics;
using Spectre.Console;

namespace Compiled.Samples;

/// <summary>
/// Training progress: a live Spectre.Console bar with samples/s and the running loss when the output is a terminal;
/// one plain line per phase when the output is redirected or the <c>CI</c> variable is set.
/// </summary>
public static class ProgressDisplay
{
    /// <summary>Whether the live display is used.</summary>
    public static bool Live => !Console.IsOutputRedirected && string.IsNullOrEmpty(Environment.GetEnvironmentVariable("CI"));

    /// <summary>
    /// Runs <paramref name="body"/>, which reports each trained batch to the <see cref="Reporter"/> it receives, under a
    /// progress display for <paramref name="totalSamples"/> samples. Without the live display, one line is printed
    /// when the phase ends, unless <paramref name="silentWhenPlain"/> (the caller prints its own summary line).
    /// </summary>
    public static void Run(string title, long totalSamples, Action<Reporter> body, bool silentWhenPlain = false)
    {
        if (Live)
        {
            AnsiConsole.Progress()
                .AutoClear(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
                .Start(ctx =>
                {
                    ProgressTask task = ctx.AddTask(Markup.Escape(title), maxValue: totalSamples);
                    body(new Reporter(title, totalSamples, task));
                    task.Value = task.MaxValue;
                });
        }
        else
        {
            var reporter = new Reporter(title, totalSamples, null);
            body(reporter);
            if (!silentWhenPlain) Console.WriteLine($"{title}: {reporter.SamplesPerSecond:F0} samples/s  {reporter.LastStatus}");
        }
    }

    /// <summary>Receives the batches of one progress phase.</summary>
    public sealed class Reporter
    {
        private readonly string _title;
        private readonly long _total;
        private readonly ProgressTask? _task;
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private long _done;
        private TimeSpan _lastUpdate;

        internal Reporter(string title, long total, ProgressTask? task)
        {
            _title = title;
            _total = total;
            _task = task;
        }

        /// <summary>Samples per second since the phase started.</summary>
        public double SamplesPerSecond => _done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-9);

        /// <summary>
        /// Records <paramref name="samples"/> more samples; <paramref name="status"/> (called at most ~10 times a second)
        /// gives the running loss text.
        /// </summary>
        public void Advance(int samples, Func<string> status)
        {
            _done += samples;
            TimeSpan now = _clock.Elapsed;
            if (_task is not null)
            {
                _task.Increment(samples);
                if (now - _lastUpdate > TimeSpan.FromMilliseconds(100) || _done >= _total)
                {
                    _lastUpdate = now;
                    _task.Description = Markup.Escape($"{_title}  {SamplesPerSecond,8:F0} samples/s  {status()}");
                }
            }
            else if (_done >= _total) LastStatus = status();
        }

        /// <summary>The status text at the end of the phase (plain mode).</summary>
        public string LastStatus { get; private set; } = "";
    }
}
