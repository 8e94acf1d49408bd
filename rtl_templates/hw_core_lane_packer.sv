// hw_core_lane_packer — COPYKV and PACKQ: packs the element stream LANES 16-bit values per word, a head starting a
// new word, for the KV cache or the q buffer.
//
// Each pop while the op runs adds one value to the word being filled; write_o marks the cycle a word is complete
// (LANES values, or the head's last element), with word_o its data (lanes above the last value zero). Throughput: one
// element per cycle; a word every LANES elements or at the end of each head.
module hw_core_lane_packer #(
  parameter int unsigned LANES     = 8,
  parameter int unsigned HEAD_SIZE = 8
) (
  input  logic                clk_i,
  input  logic                setup_i,
  input  logic                pack_i,
  input  logic                elem_pop_i,
  input  logic [15:0]         elem_i,
  output logic                write_o,
  output logic [LANES*16-1:0] word_o
);
  localparam int unsigned LaneW = (LANES > 1) ? $clog2(LANES) : 1;
  localparam int unsigned HsW   = $clog2(HEAD_SIZE + 1);

  logic                push;
  logic [LaneW-1:0]    lane_q, lane_d;
  logic [HsW-1:0]      elem_q, elem_d;
  logic [LANES*16-1:0] word_q, word_d;
  assign push    = elem_pop_i && pack_i;
  assign write_o = push && (lane_q == LaneW'(LANES - 1) || elem_q == HsW'(HEAD_SIZE - 1));

  always_comb begin
    word_d = (lane_q == '0) ? '0 : word_q;
    word_d[lane_q*16 +: 16] = elem_i;
  end

  always_comb begin
    lane_d = lane_q;
    elem_d = elem_q;
    if (setup_i) begin
      lane_d = '0;
      elem_d = '0;
    end
    if (push) begin
      elem_d = (elem_q == HsW'(HEAD_SIZE - 1)) ? '0 : elem_q + HsW'(1);
      lane_d = write_o ? '0 : lane_q + LaneW'(1);
    end
  end

  always_ff @(posedge clk_i) begin
    if (push) word_q <= word_d;
    lane_q <= lane_d;
    elem_q <= elem_d;
  end

  assign word_o = word_d;
endmodule
