using System;

namespace Compiled;

/// <summary>
/// A learning-rate schedule: the rate used for an update, from the model's base <c>LearningRate</c> and the number of
/// updates already taken (0 for the first <c>TrainStep</c>). Set a model's <c>Schedule</c> to use one; one object
/// can serve several models. Schedules count training steps: for PyTorch's per-epoch schedulers, multiply their
/// <c>step_size</c> / <c>T_max</c> by the number of batches per epoch.
/// </summary>
public abstract class LearningRateSchedule
{
    /// <summary>The learning rate for the update after <paramref name="step"/> earlier updates.</summary>
    public abstract float At(long step, float baseRate);

    /// <summary>
    /// The rate for a float64 model. The built-in schedules compute it in double; a custom schedule that does not
    /// override this gets its float rate, widened.
    /// </summary>
    public virtual double At(long step, double baseRate) => At(step, (float)baseRate);

    /// <summary>Step decay, as <c>torch.optim.lr_scheduler.StepLR</c>: lr·γ^⌊step / stepSize⌋.</summary>
    public static LearningRateSchedule Step(long stepSize, double gamma) => new StepSchedule(stepSize, gamma);

    /// <summary>
    /// Cosine annealing, as the closed form of <c>torch.optim.lr_scheduler.CosineAnnealingLR</c>:
    /// η_min + (lr − η_min)·(1 + cos(π·t/T))/2 with t = min(step, T), so the rate stays at η_min after T steps.
    /// </summary>
    public static LearningRateSchedule Cosine(long totalSteps, double minimum = 0) => new CosineSchedule(totalSteps, minimum);

    private sealed class StepSchedule : LearningRateSchedule
    {
        private readonly long _stepSize;
        private readonly double _gamma;

        public StepSchedule(long stepSize, double gamma)
        {
            if (stepSize < 1) throw new ArgumentOutOfRangeException(nameof(stepSize), stepSize, "The step size must be at least 1.");
            if (!(gamma > 0) || double.IsInfinity(gamma)) throw new ArgumentOutOfRangeException(nameof(gamma), gamma, "gamma must be a finite number > 0.");
            _stepSize = stepSize;
            _gamma = gamma;
        }

        public override float At(long step, float baseRate) => (float)(baseRate * Math.Pow(_gamma, Math.Max(step, 0) / _stepSize));

        public override double At(long step, double baseRate) => baseRate * Math.Pow(_gamma, Math.Max(step, 0) / _stepSize);
    }

    private sealed class CosineSchedule : LearningRateSchedule
    {
        private readonly long _total;
        private readonly double _minimum;

        public CosineSchedule(long totalSteps, double minimum)
        {
            if (totalSteps < 1) throw new ArgumentOutOfRangeException(nameof(totalSteps), totalSteps, "The number of steps must be at least 1.");
            if (!(minimum >= 0) || double.IsInfinity(minimum)) throw new ArgumentOutOfRangeException(nameof(minimum), minimum, "The minimum rate must be a finite number ≥ 0.");
            _total = totalSteps;
            _minimum = minimum;
        }

        public override float At(long step, float baseRate)
        {
            double t = Math.Clamp(step, 0, _total);
            return (float)(_minimum + (baseRate - _minimum) * (1 + Math.Cos(Math.PI * t / _total)) / 2);
        }

        public override double At(long step, double baseRate)
        {
            double t = Math.Clamp(step, 0, _total);
            return _minimum + (baseRate - _minimum) * (1 + Math.Cos(Math.PI * t / _total)) / 2;
        }
    }
}
