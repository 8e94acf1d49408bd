// hw_core_output — OUTPUT: streams the logits to the host and then the argmax token (lowest index wins ties).
//
// While OUTPUT runs (exec_i && output_i) each element of the stream is one logit: it is offered on out_*_o and
// popped when the host takes it (elem_ready_o = host ready, until the token). After VOCAB logits the next beat is the
// argmax token id with out_last_o; done_o marks the cycle the host takes it. Throughput: one beat per cycle the host
// accepts.
module hw_core_output #(
  parameter int unsigned VOCAB = 100
) (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        decode_i,
  input  logic        setup_i,
  input  logic        exec_i,
  input  logic        output_i,
  input  logic        elem_valid_i,
  output logic        elem_ready_o,
  input  logic [31:0] elem_i,
  output logic        out_valid_o,
  input  logic        out_ready_i,
  output logic [31:0] out_data_o,
  output logic        out_last_o,
  output logic        done_o
);
  logic               token_q, token_d, pop, fire;
  logic signed [31:0] best_q, best_d;
  logic [31:0]        best_index_q, best_index_d, count_q, count_d;

  assign elem_ready_o = !token_q && out_ready_i;
  assign pop          = output_i && elem_valid_i && elem_ready_o;
  assign out_valid_o  = exec_i && output_i && (token_q || elem_valid_i);
  assign out_data_o   = token_q ? best_index_q : elem_i;
  assign out_last_o   = token_q;
  assign fire         = out_valid_o && out_ready_i;
  assign done_o       = fire && token_q;

  always_comb begin
    token_d      = token_q;
    count_d      = count_q;
    best_d       = best_q;
    best_index_d = best_index_q;
    if (decode_i) token_d = 1'b0;
    if (exec_i && pop && count_q == VOCAB - 1) token_d = 1'b1;
    if (setup_i) count_d = '0;
    if (pop) begin
      count_d = count_q + 32'd1;
      if (count_q == '0 || $signed(elem_i) > best_q) begin
        best_d       = $signed(elem_i);
        best_index_d = count_q;
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) token_q <= 1'b0;
    else         token_q <= token_d;
  end
  always_ff @(posedge clk_i) begin
    count_q      <= count_d;
    best_q       <= best_d;
    best_index_q <= best_index_d;
  end
endmodule
