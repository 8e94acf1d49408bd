// hw_core_elementwise — EMBED and SWIGLU at V elements per cycle, where the scratchpad has V = C lanes per word.
//
// Each cycle the reader delivered a word (word_valid_i), every lane l computes (docs/numerics.md §4, §11)
//   EMBED:  y[l] = sat_{out_bits}(requant(1 * E[l]))                E: the embedding word's byte l (int8)
//   SWIGLU: y[l] = sat_{out_bits}(requant(silu_layer(gate[l]) * up[l]))   silu: table pair + interpolation
//                                                                  gate: lane l of the A word, up: lane l of B
// with the instruction's one requantizer word param_i ({rshift[36:31], mult[30:0]}, read by the requant feeder when
// the instruction was set up). Every lane has its own copy of the SiLU ROM (all layers, layer l at words l*256, pairs {SILU[i+1], SILU[i]}), its
// own multiplier and hw_requant: one hw_core_elementwise_lane each, so synthesis maps one lane and counts it V
// times. Stages: the ROM read (the cycle of the word), the interpolation and product, hw_requant's two; valid_o pulses with the V
// results 4 cycles after word_valid_i. A word is taken every cycle (the pipeline never stalls: the
// writeback always accepts), so an instruction of n elements takes ceil(n / V) cycles plus 4. The writeback masks
// the lanes past the instruction's n_out.
module hw_core_elementwise #(
  parameter int unsigned V         = 8,    // lanes (= the array's C)
  parameter int unsigned N_LAYERS  = 2,
  parameter int unsigned LAYER_W   = 1,    // bits of silu_layer_i
  parameter int unsigned GATE_W    = 16,   // gate width (numerics §11): 8 or 16
  parameter              SILU_FILE = "mem/silu.hex"
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               swiglu_i,      // SWIGLU runs (else EMBED)
  input  logic [LAYER_W-1:0] silu_layer_i,
  input  logic [39:0]        param_i,       // the instruction's requantizer word
  input  logic [5:0]         out_bits_i,
  input  logic               word_valid_i,
  input  logic [V*32-1:0]    a_word_i,      // SWIGLU: gate lanes
  input  logic [V*32-1:0]    b_word_i,      // SWIGLU: up lanes
  input  logic [V*8-1:0]     emb_word_i,    // EMBED: the embedding word
  output logic               valid_o,
  output logic [V*32-1:0]    results_o
);
  if (V < 2 || (V & (V - 1)) != 0 || N_LAYERS < 1) begin : gen_check_params
    $error("hw_core_elementwise: V must be a power of two >= 2 and N_LAYERS >= 1");
  end

  logic             valid_q, prod_valid_q, swiglu_q;
  logic [V-1:0]     lane_valid;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      valid_q      <= 1'b0;
      prod_valid_q <= 1'b0;
    end else begin
      valid_q      <= word_valid_i;
      prod_valid_q <= valid_q;
    end
  end
  always_ff @(posedge clk_i) begin
    if (word_valid_i) swiglu_q <= swiglu_i;
  end

  for (genvar l = 0; l < V; l++) begin : gen_lane
    hw_core_elementwise_lane #(.N_LAYERS(N_LAYERS), .LAYER_W(LAYER_W), .GATE_W(GATE_W), .SILU_FILE(SILU_FILE)) u_lane (
      .clk_i, .rst_ni,
      .word_valid_i, .swiglu_i, .valid_q_i(valid_q), .swiglu_q_i(swiglu_q), .prod_valid_i(prod_valid_q),
      .silu_layer_i,
      .gate_i    (a_word_i[l*32 +: 16]),
      .up_i      (b_word_i[l*32 +: 17]),
      .emb_i     (emb_word_i[l*8 +: 8]),
      .param_i   (param_i[36:0]),
      .out_bits_i,
      .valid_o   (lane_valid[l]),
      .result_o  (results_o[l*32 +: 32]));
  end
  assign valid_o = lane_valid[0];

  logic unused;
  assign unused = ^{lane_valid[V-1:1], param_i[39:37], a_word_i, b_word_i};
endmodule
