// hw_core_gemm_packer — MATVEC's input side: packs the activation stream P elements per word (the matrix engine's
// weight-port rows) into hw_gemv's X buffer, and starts the engine after the last element.
//
// Each pop of the element stream while MATVEC runs writes the word being filled (lanes above the current one are
// zero until written): xmem_we_o with the word index and its data, every cycle an element arrives. A word completes
// after P elements or at the vector's last element; start_o pulses one cycle after the last write. Throughput: one
// element per cycle.
//
// Word mode (WORDS = 1, where the scratchpad has P elements per word): the reader hands whole scratchpad words
// instead (word_valid_i, word_i, word_last_i), one X-buffer word each, the low A_W bits of each element; lanes at or
// past n_inner_i (the vector's length) are written as zero. Throughput: P elements per cycle. The words come one per
// cycle without a gap, as fast as the engine consumes them, so start_o pulses one cycle after the first word: the
// engine reads word g no earlier than g + 1 cycles after its start, one cycle after the packer wrote it
// (hw_gemv's early-start contract).
module hw_core_gemm_packer #(
  parameter int unsigned P        = 8,
  parameter int unsigned A_W      = 16,
  parameter int unsigned X_ADDR_W = 3,
  parameter int unsigned WORDS    = 0     // 1: word mode
) (
  input  logic                clk_i,
  input  logic                rst_ni,
  input  logic                setup_i,
  input  logic                matvec_i,
  input  logic                elem_pop_i,
  input  logic                elem_last_i,
  input  logic [A_W-1:0]      elem_i,
  input  logic [31:0]         n_inner_i,
  input  logic                word_valid_i,
  input  logic                word_last_i,
  input  logic [P*32-1:0]     word_i,
  output logic                xmem_we_o,
  output logic [X_ADDR_W-1:0] xmem_addr_o,
  output logic [P*A_W-1:0]    xmem_data_o,
  output logic                start_o
);
  localparam int unsigned RowW = (P > 1) ? $clog2(P) : 1;

  logic                push, start_q;
  logic [RowW-1:0]     lane_q, lane_d;
  logic [X_ADDR_W-1:0] word_q, word_d;
  logic [P*A_W-1:0]    data_q, data_d, word_data;
  logic                word_push, last;
  assign push      = elem_pop_i && matvec_i && WORDS == 0;
  assign word_push = word_valid_i && matvec_i && WORDS == 1;
  assign last      = word_push ? word_last_i : elem_last_i;

  // Word mode: element j of word w is x[w*P + j]; lanes past the vector are zero.
  always_comb begin
    for (int j = 0; j < P; j++) begin
      word_data[j*A_W +: A_W] = (32'(word_q) * 32'(P) + 32'(j) < n_inner_i) ? word_i[j*32 +: A_W] : '0;
    end
  end

  always_comb begin
    data_d = (lane_q == '0) ? '0 : data_q;
    data_d[lane_q*A_W +: A_W] = elem_i;
  end

  always_comb begin
    lane_d = lane_q;
    word_d = word_q;
    if (setup_i) begin
      lane_d = '0;
      word_d = '0;
    end
    if (word_push) word_d = word_q + X_ADDR_W'(1);
    if (push) begin
      if (lane_q == RowW'(P - 1) || elem_last_i) begin
        lane_d = '0;
        word_d = word_q + X_ADDR_W'(1);
      end else begin
        lane_d = lane_q + RowW'(1);
      end
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) start_q <= 1'b0;
    else         start_q <= word_push ? word_q == '0 : push && last;
  end
  always_ff @(posedge clk_i) begin
    if (push) data_q <= data_d;
    lane_q <= lane_d;
    word_q <= word_d;
  end

  assign xmem_we_o   = push || word_push;
  assign xmem_addr_o = word_q;
  assign xmem_data_o = word_push ? word_data : data_d;
  assign start_o     = start_q;

  logic unused;
  assign unused = ^{word_i, n_inner_i};  // word mode uses the low A_W bits of each element
endmodule
