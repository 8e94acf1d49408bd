// hw_core_gemm_serializer — MATVEC's output side: takes hw_gemm's C-wide result beats and hands out one
// accumulator per cycle with its output index, for the requantizer.
//
// A beat is accepted (beat_ready_o) when the previous one is fully handed out; its lanes then leave in order, one per
// cycle (valid_o, acc_o, index_o = outputs so far), until lane C-1 or output n_out_i - 1 (padding lanes of the last
// beat are skipped). Throughput: one output per cycle, plus one cycle per beat.
module hw_core_gemm_serializer #(
  parameter int unsigned C     = 8,
  parameter int unsigned ACC_W = 32
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             setup_i,
  input  logic [31:0]      n_out_i,
  input  logic             beat_valid_i,
  output logic             beat_ready_o,
  input  logic [C*ACC_W-1:0] beat_i,
  output logic             valid_o,
  output logic [ACC_W-1:0] acc_o,
  output logic [31:0]      index_o
);
  localparam int unsigned LaneW = (C > 1) ? $clog2(C) : 1;

  logic               valid_q, valid_d, take;
  logic [C*ACC_W-1:0] beat_q, beat_d;
  logic [LaneW-1:0]   lane_q, lane_d;
  logic [31:0]        index_q, index_d;
  assign take = beat_valid_i && !valid_q;

  always_comb begin
    valid_d = valid_q;
    beat_d  = beat_q;
    lane_d  = lane_q;
    index_d = index_q;
    if (setup_i) index_d = '0;
    if (take) begin
      valid_d = 1'b1;
      beat_d  = beat_i;
      lane_d  = '0;
    end else if (valid_q) begin
      // A beat ends at its last lane, or at the matrix's last output.
      if (lane_q == LaneW'(C - 1) || index_q == n_out_i - 32'd1) valid_d = 1'b0;
      lane_d  = lane_q + LaneW'(1);
      index_d = index_q + 32'd1;
    end
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= 1'b0;
    else         valid_q <= valid_d;
  end
  always_ff @(posedge clk_i) begin
    beat_q  <= beat_d;
    lane_q  <= lane_d;
    index_q <= index_d;
  end

  assign beat_ready_o = !valid_q;
  assign valid_o      = valid_q && index_q < n_out_i;
  assign acc_o        = beat_q[lane_q*ACC_W +: ACC_W];
  assign index_o      = index_q;
endmodule
