// hw_core_attention_score — one query head's score path in hw_core_attention (docs/numerics.md §8): q . K[t] of the
// word read, registered (en_i), then requantized with the instruction's word and saturated to 16 bits:
//
//   z = sat_16(requant(sum_i q[i] * k[i]))
//
// The dot product is HEAD_SIZE / Chunk hw_core_attention_dot of Chunk lanes each (Chunk the largest divisor of
// HEAD_SIZE up to 4), summed; one hw_requant. hw_core_attention instantiates one per query head of a word, so
// synthesis maps one head and counts it. Latency: the dot product the cycle after en_i, z two cycles after go_i.
module hw_core_attention_score #(
  parameter int unsigned HEAD_SIZE = 8,
  parameter int unsigned MAC_ACC_W = 40
) (
  input  logic                    clk_i,
  input  logic                    rst_ni,
  input  logic                    en_i,      // q_i and k_i hold this cycle's word: register the dot product
  input  logic                    go_i,      // the registered dot product enters the requantizer
  input  logic [HEAD_SIZE*16-1:0] q_i,
  input  logic [HEAD_SIZE*16-1:0] k_i,
  input  logic [30:0]             mult_i,
  input  logic [5:0]              rshift_i,
  output logic                    valid_o,
  output logic [31:0]             z_o        // the score, saturated to 16 bits, sign-extended
);
  function automatic int unsigned chunk_of(input int unsigned n);
    chunk_of = 1;
    for (int unsigned d = 1; d <= 4; d++) begin
      if (n % d == 0) chunk_of = d;
    end
  endfunction
  localparam int unsigned Chunk  = chunk_of(HEAD_SIZE);
  localparam int unsigned Chunks = HEAD_SIZE / Chunk;
  if (HEAD_SIZE < 1) begin : gen_check
    $error("hw_core_attention_score: HEAD_SIZE must be at least 1");
  end

  logic [Chunks*MAC_ACC_W-1:0] part;
  for (genvar c = 0; c < Chunks; c++) begin : gen_chunk
    hw_core_attention_dot #(.N(Chunk), .ACC_W(MAC_ACC_W)) u_dot (
      .q_i(q_i[c*Chunk*16 +: Chunk*16]), .k_i(k_i[c*Chunk*16 +: Chunk*16]), .sum_o(part[c*MAC_ACC_W +: MAC_ACC_W]));
  end
  logic signed [MAC_ACC_W-1:0] dot, dot_q;
  always_comb begin
    dot = '0;
    for (int c = 0; c < Chunks; c++) dot = dot + $signed(part[c*MAC_ACC_W +: MAC_ACC_W]);
  end
  always_ff @(posedge clk_i) begin
    if (en_i) dot_q <= dot;
  end

  logic        ready_unused;
  logic [31:0] y;
  hw_requant #(.ACC_W(MAC_ACC_W), .OUT_W(32)) u_requant (
    .clk_i, .rst_ni,
    .in_valid_i(go_i), .in_ready_o(ready_unused), .acc_i(dot_q), .mult_i, .rshift_i,
    .out_valid_o(valid_o), .out_ready_i(1'b1), .y_o(y));
  assign z_o = hw_core_pkg::sat_to({y[31], y}, 6'd16);

  logic unused;
  assign unused = ready_unused;
endmodule
