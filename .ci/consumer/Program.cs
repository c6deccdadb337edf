using System;
using Compiled;

// The README's first example, as a user writes it after `dotnet add package Compiled`.
var model = new TinyAutoencoder(maxBatch: 8, seed: 1) { LearningRate = 0.5f };
var data = new float[8 * TinyAutoencoder.InputSize];
for (int i = 0; i < data.Length; i++) data[i] = (i * 7 % 16) / 16f;

float first = model.TrainStep(data, data, 8);
float last = first;
for (int step = 0; step < 200; step++) last = model.TrainStep(data, data, 8);
Console.WriteLine($"loss {first:F5} -> {last:F5}; {model.LastLoss}");
if (!(last < first)) { Console.Error.WriteLine("training did not reduce the loss"); return 1; }
Console.WriteLine("consumer OK");
return 0;

[Input(16)]
[Dense(8, Activation.Tanh)]
[ActivityL1(0.01)]
[Dense(16, Activation.Sigmoid)]
public partial class TinyAutoencoder;
