// The public API of @inferometer/ops, listed by hand.
export {};
