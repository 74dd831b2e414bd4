// The public API of @inferometer/onnxruntime, listed by hand.
export {};
