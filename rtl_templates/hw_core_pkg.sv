// hw_core_pkg — what several units of hw_core share: saturation to a result width (docs/numerics.md §3, §12).
package hw_core_pkg;
  // v saturated to `bits` (1..32) two's-complement bits, sign-extended to 32.
  function automatic logic [31:0] sat_to(input logic signed [32:0] v, input logic [5:0] bits);
    logic signed [32:0] hi, lo;
    hi = (33'sd1 <<< (bits - 6'd1)) - 33'sd1;
    lo = -(33'sd1 <<< (bits - 6'd1));
    if (v > hi)      sat_to = hi[31:0];
    else if (v < lo) sat_to = lo[31:0];
    else             sat_to = v[31:0];
  endfunction
endpackage
