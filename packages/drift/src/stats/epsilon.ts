/**
 * Share given to an empty bin by PSI and chi-squared, whose formulas divide
 * by (or take the log of) a bin's share. 1e-4 is the value Evidently and most
 * PSI write-ups use; it caps one empty bin's PSI term at about
 * 0.1 * ln(0.1 / 1e-4) = 0.69 for a bin with a tenth of the data.
 */
export const EMPTY_BIN_SHARE = 1e-4;
