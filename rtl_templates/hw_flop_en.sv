// hw_flop_en — a register of WIDTH bits loaded when en_i (no reset: its contents are valid only after a load).
//
// The primitive for wide data registers (a word of KV lanes, a slot of a packed word): a unit that holds many of them
// instantiates this, so synthesis maps one register of each width once and counts it, however wide the unit.
module hw_flop_en #(
  parameter int unsigned WIDTH = 1
) (
  input  logic             clk_i,
  input  logic             en_i,
  input  logic [WIDTH-1:0] d_i,
  output logic [WIDTH-1:0] q_o
);
  if (WIDTH < 1) begin : gen_check
    $error("hw_flop_en: WIDTH must be at least 1");
  end
  always_ff @(posedge clk_i) begin
    if (en_i) q_o <= d_i;
  end
endmodule
