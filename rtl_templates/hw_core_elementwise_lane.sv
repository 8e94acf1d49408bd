// hw_core_elementwise_lane — one lane of hw_core_elementwise (docs/numerics.md §4, §11): its SiLU ROM, multiplier
// and requantizer.
//
//   EMBED:  y = sat_{out_bits}(requant(1 * e))            SWIGLU: y = sat_{out_bits}(requant(SILU_layer[gate + 128] * up))
//
// Stages (the parent's valid and mode registers drive them): the ROM read and the operand registered (word_valid_i),
// the product (valid_q_i), hw_requant's two. hw_core_elementwise instantiates V of these, so synthesis maps one lane
// and counts it V times.
module hw_core_elementwise_lane #(
  parameter int unsigned N_LAYERS  = 2,
  parameter int unsigned LAYER_W   = 1,
  parameter              SILU_FILE = "mem/silu.hex"
) (
  input  logic               clk_i,
  input  logic               rst_ni,
  input  logic               word_valid_i,  // the word arrives: read the ROM, register the operand
  input  logic               swiglu_i,      // with word_valid_i: SWIGLU (else EMBED)
  input  logic               valid_q_i,     // the cycle after word_valid_i: form the product
  input  logic               swiglu_q_i,    // SWIGLU, registered with the word
  input  logic               prod_valid_i,  // the product is registered: into the requantizer
  input  logic [LAYER_W-1:0] silu_layer_i,
  input  logic [7:0]         gate_i,        // SWIGLU: the gate's low byte (int8)
  input  logic [16:0]        up_i,          // SWIGLU: the up value's low 17 bits
  input  logic [7:0]         emb_i,         // EMBED: the embedding byte (int8)
  input  logic [36:0]        param_i,       // {rshift[36:31], mult[30:0]}
  input  logic [5:0]         out_bits_i,
  output logic               valid_o,
  output logic [31:0]        result_o
);
  localparam int unsigned SiluAddrW = $clog2(N_LAYERS * 256);
  if (N_LAYERS < 1) begin : gen_check
    $error("hw_core_elementwise_lane: N_LAYERS must be at least 1");
  end

  logic [15:0]        silu;
  logic signed [16:0] b_q, factor;
  logic signed [33:0] prod_q;
  logic [33:0]        prod;
  hw_mul #(.A_W(17), .B_W(17)) u_mul (.a_i(factor), .b_i(b_q), .p_o(prod));
  hw_sram #(.WIDTH(16), .DEPTH(N_LAYERS * 256), .INIT_FILE(SILU_FILE)) u_silu (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(word_valid_i && swiglu_i),
    .raddr_i(SiluAddrW'({32'(silu_layer_i), 8'h00} | {32'd0, gate_i ^ 8'h80})),
    .rdata_o(silu));
  always_ff @(posedge clk_i) begin
    if (word_valid_i) b_q <= swiglu_i ? $signed(up_i) : 17'($signed(emb_i));
    if (valid_q_i) prod_q <= prod;
  end
  assign factor = swiglu_q_i ? $signed({silu[15], silu}) : 17'sd1;

  logic        ready_unused;
  logic [31:0] y;
  hw_requant #(.ACC_W(34), .OUT_W(32)) u_requant (
    .clk_i, .rst_ni,
    .in_valid_i(prod_valid_i), .in_ready_o(ready_unused), .acc_i(prod_q),
    .mult_i(param_i[30:0]), .rshift_i(param_i[36:31]),
    .out_valid_o(valid_o), .out_ready_i(1'b1), .y_o(y));
  assign result_o = hw_core_pkg::sat_to({y[31], y}, out_bits_i);

  logic unused;
  assign unused = ready_unused;
endmodule
