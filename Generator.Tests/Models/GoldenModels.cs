// The networks of Golden/*.json, declared as users declare them. All are 6 → 5 → 6 (hid1, out), batch 4.
namespace Compiled.Tests.Models;

/// <summary>keras_activity_l1_A: Dense(5, tanh, activity L1(0.1)) → Dense(6, sigmoid, activity L1(0.02)).</summary>
[Input(6)]
[Dense(5, Activation.Tanh)]
[ActivityL1(0.1)]
[Dense(6, Activation.Sigmoid)]
[ActivityL1(0.02)]
public partial class KerasActivityL1;

/// <summary>keras_activity_l1_post_activation_A.</summary>
[Input(6)]
[Dense(5, Activation.Tanh)]
[ActivityL1(0.1, On = ActivityOn.Output)]
[Dense(6, Activation.Sigmoid)]
public partial class KerasActivityL1Post;

/// <summary>keras_activity_l1_pre_activation_A: Dense(5, linear, activity L1) → Activation(tanh).</summary>
[Input(6)]
[Dense(5, Activation.Tanh)]
[ActivityL1(0.1, On = ActivityOn.PreActivation)]
[Dense(6, Activation.Sigmoid)]
public partial class KerasActivityL1Pre;

/// <summary>keras_weight_regularizers_A: kernel L1L2 and bias L1 on hid1, kernel L2 and bias L1 on out.</summary>
[Input(6)]
[Dense(5, Activation.Tanh)]
[KernelL1(0.01)]
[KernelL2(0.02)]
[BiasL1(0.005)]
[Dense(6, Activation.Sigmoid)]
[KernelL2(0.02)]
[BiasL1(0.005)]
public partial class KerasWeightRegularizers;

/// <summary>kl_sparsity_A: Ng's objective — half SSE per sample + (λ/2)ΣW² + β Σ KL(ρ‖ρ̂).</summary>
[Model(Loss = Loss.HalfSquaredError)]
[Input(6)]
[Dense(5, Activation.Sigmoid)]
[KlSparsity(0.05, 3.0)]
[Dense(6, Activation.Sigmoid)]
[WeightDecay(0.001)]
public partial class NgKlSparsity;

/// <summary>kl_tanh_rescaled_A: KL on a tanh layer with ρ̂' = (1 + ρ̂)/2.</summary>
[Model(Loss = Loss.HalfSquaredError)]
[Input(6)]
[Dense(5, Activation.Tanh)]
[KlSparsity(0.05, 3.0)]
[Dense(6, Activation.Sigmoid)]
public partial class NgKlTanh;

/// <summary>theanets_hidden_l1_A: hidden_l1 = 0.1, default pattern.</summary>
[Input(6)]
[Dense(5, Activation.Tanh)]
[Dense(6, Activation.Sigmoid)]
[HiddenL1(0.1)]
public partial class TheanetsHiddenL1;

/// <summary>theanets_weight_l1_l2_A: weight_l1 = 0.01, weight_l2 = 0.02, default pattern.</summary>
[Input(6)]
[Dense(5, Activation.Tanh)]
[Dense(6, Activation.Sigmoid)]
[WeightL1(0.01)]
[WeightL2(0.02)]
public partial class TheanetsWeightL1L2;

/// <summary>torch_l1penalty_A: the seed's L1Penalty autograd function, l1weight·Σ|a| with no averaging.</summary>
[Input(6)]
[Dense(5, Activation.Tanh)]
[ActivityL1(0.1, Scaling = Scaling.Sum)]
[Dense(6, Activation.Sigmoid)]
public partial class TorchL1Penalty;
