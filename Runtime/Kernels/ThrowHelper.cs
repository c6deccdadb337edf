using System;
using System.ComponentModel;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Compiled.Kernels;

/// <summary>Exceptions thrown by generated code and kernels, kept out of line so the hot paths stay small.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static partial class ThrowHelper
{
    /// <summary>A span whose length is not batch × features.</summary>
    [DoesNotReturn]
    public static void SpanLength(string parameter, int actual, int batch, int features, string featureName)
        => throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
            "{0} has length {1}; expected batch ({2}) × {3} ({4}) = {5}.",
            parameter, actual, batch, featureName, features, (long)batch * features), parameter);

    /// <summary>A span of rows whose length is not a whole number of rows.</summary>
    [DoesNotReturn]
    public static void NotWholeRows(string parameter, int actual, int rowSize, string rowName)
        => throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
            "{0} has length {1}, which is not a whole number of rows of {2} ({3}): {4} rows and {5} values left over.",
            parameter, actual, rowName, rowSize, actual / rowSize, actual % rowSize), parameter);

    /// <summary>A span whose length is not rows × features, for the calls that take any number of rows.</summary>
    [DoesNotReturn]
    public static void RowsLength(string parameter, int actual, int rows, int features, string featureName)
        => throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
            "{0} has length {1}; expected rows ({2}) × {3} ({4}) = {5}.",
            parameter, actual, rows, featureName, features, (long)rows * features), parameter);

    /// <summary>A span of one value per row (labels, classes) whose length is not the number of rows.</summary>
    [DoesNotReturn]
    public static void OnePerRow(string parameter, int actual, int rows)
        => throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
            "{0} has length {1}; expected one per row of the inputs ({2}).", parameter, actual, rows), parameter);

    /// <summary>A call that averages over rows, given none.</summary>
    [DoesNotReturn]
    public static void NoRows(string parameter)
        => throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
            "{0} has no rows; a mean over no rows is undefined.", parameter), parameter);

    /// <summary>A batch outside 1..maxBatch.</summary>
    [DoesNotReturn]
    public static void BatchOutOfRange(int batch, int maxBatch)
        => throw new ArgumentOutOfRangeException(nameof(batch), batch, string.Format(CultureInfo.InvariantCulture,
            "batch must be between 1 and the model's maxBatch ({0}); it was {1}.", maxBatch, batch));

    /// <summary>A span passed to a kernel that is shorter than the sizes the kernel was given.</summary>
    [DoesNotReturn]
    public static void KernelSpan(string parameter, int expected, int actual)
        => throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
            "{0} has length {1}; the kernel needs {2}.", parameter, actual, expected), parameter);

    /// <summary>A span passed to a kernel that is shorter than the sizes the kernel was given (sizes as a 64-bit product).</summary>
    [DoesNotReturn]
    public static void KernelSpan(string parameter, long expected, int actual)
        => throw new ArgumentException(string.Format(CultureInfo.InvariantCulture,
            "{0} has length {1}; the kernel needs {2}.", parameter, actual, expected), parameter);

    /// <summary>A thread count outside 1..max.</summary>
    [DoesNotReturn]
    public static void ThreadCount(int threads, int max)
        => throw new ArgumentOutOfRangeException("Threads", threads, string.Format(CultureInfo.InvariantCulture,
            "Threads must be between 1 and {0}; it was {1}.", max, threads));

    /// <summary>A constructor argument out of range.</summary>
    [DoesNotReturn]
    public static void MaxBatch(int maxBatch, int limit)
        => throw new ArgumentOutOfRangeException(nameof(maxBatch), maxBatch, string.Format(CultureInfo.InvariantCulture,
            "maxBatch must be between 1 and {0} (the largest batch whose buffers fit in an array); it was {1}.", limit, maxBatch));

    /// <summary>A regularization coefficient set to a negative, NaN or infinite value.</summary>
    [DoesNotReturn]
    public static void Coefficient(string name, float value)
        => throw new ArgumentOutOfRangeException(name, value, string.Format(CultureInfo.InvariantCulture,
            "{0} must be a finite number ≥ 0; it was {1}.", name, value));

    /// <summary>A KL target set outside (0, 1).</summary>
    [DoesNotReturn]
    public static void Probability(string name, float value)
        => throw new ArgumentOutOfRangeException(name, value, string.Format(CultureInfo.InvariantCulture,
            "{0} must lie strictly between 0 and 1; it was {1}.", name, value));

    /// <summary>Checks that every class label of a batch lies in [0, classes); names the first that does not.</summary>
    public static void CheckLabels(ReadOnlySpan<int> labels, int classes)
    {
        for (int i = 0; i < labels.Length; i++)
            if ((uint)labels[i] >= (uint)classes) BadLabel(i, labels[i], classes);
    }

    [DoesNotReturn]
    private static void BadLabel(int index, int label, int classes)
        => throw new ArgumentOutOfRangeException("labels", label, string.Format(CultureInfo.InvariantCulture,
            "labels[{0}] is {1}; class labels must be between 0 and {2} (the model has {3} output classes).", index, label, classes - 1, classes));

    /// <summary>A setting refused by its setter: throws, naming the property, the range and the value (typed so a setter can use it as an expression).</summary>
    [DoesNotReturn]
    public static float InvalidSetting(string name, float value, string range)
        => throw new ArgumentOutOfRangeException(name, value, string.Format(CultureInfo.InvariantCulture,
            "{0} must be {1}; it was {2}. The model is unchanged.", name, range, value));

    /// <summary>
    /// Refuses a learning-rate schedule whose rate for the next update (number <paramref name="updates"/>) from
    /// <paramref name="baseRate"/> is not a finite number ≥ 0.
    /// </summary>
    public static void CheckSchedule(LearningRateSchedule schedule, long updates, float baseRate)
    {
        float rate = schedule.At(updates, baseRate);
        if (!(rate >= 0) || !float.IsFinite(rate))
            throw new ArgumentOutOfRangeException("Schedule", rate, string.Format(CultureInfo.InvariantCulture,
                "The schedule gives a learning rate of {0} for update {1} (base rate {2}); a rate must be a finite number ≥ 0. The schedule was not set.", rate, updates, baseRate));
    }

    /// <summary>A scheduled learning rate that is not a finite number ≥ 0, found before a step changed anything.</summary>
    [DoesNotReturn]
    public static void ScheduledRate(long updates, float rate)
        => throw new InvalidOperationException(string.Format(CultureInfo.InvariantCulture,
            "The learning-rate schedule gives {0} for update {1}; a rate must be a finite number ≥ 0. The step was not taken and the parameters are unchanged.", rate, updates));

    /// <summary>An optimizer setting out of range.</summary>
    [DoesNotReturn]
    public static void Setting(string name, float value, string range)
        => throw new ArgumentOutOfRangeException(name, value, string.Format(CultureInfo.InvariantCulture,
            "{0} must be {1}; it was {2}.", name, range, value));
}
