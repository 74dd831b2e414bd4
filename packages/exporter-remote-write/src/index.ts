// The public API of @inferometer/exporter-remote-write, listed by hand.
export {};
