// The public API of @inferometer/drift, listed by hand.
export {};
