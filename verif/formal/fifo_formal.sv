// Formal properties of hw_fifo (yosys-smtbmc + z3, ctest label `formal`): every push is popped exactly once, in
// order, with its data (an arbitrary tagged push, chosen by the solver, must come out as the pop of the same index:
// bounded model check); the count equals pushes minus pops, ready/valid follow the count, and the head word and
// out_valid_o hold while the consumer stalls (bounded, and proven for all time by k-induction).
module fifo_formal #(
  parameter int unsigned WIDTH = 4,
  parameter int unsigned DEPTH = 4
) (
  input logic             clk_i,
  input logic             rst_ni,
  input logic             in_valid_i,
  input logic [WIDTH-1:0] in_data_i,
  input logic             out_ready_i
);
  localparam int unsigned CntW = $clog2(DEPTH) + 1;
  logic             in_ready, out_valid;
  logic [WIDTH-1:0] out_data;
  logic [CntW-1:0]  count;

  hw_fifo #(.WIDTH(WIDTH), .DEPTH(DEPTH)) dut (
    .clk_i, .rst_ni, .in_valid_i, .in_ready_o(in_ready), .in_data_i, .out_valid_o(out_valid),
    .out_ready_i, .out_data_o(out_data), .count_o(count)
  );

  wire push = in_valid_i && in_ready;
  wire pop  = out_valid && out_ready_i;

  // Reset in the first cycle.
  logic init_q = 1'b1;
  always_ff @(posedge clk_i) init_q <= 1'b0;
  always_comb if (init_q) assume (!rst_ni);

  // Pushes and pops since reset (8 bits: more than any depth checked here).
  logic [7:0] n_push_q, n_pop_q;
  always_ff @(posedge clk_i) begin
    if (!rst_ni) begin
      n_push_q <= '0;
      n_pop_q  <= '0;
    end else begin
      n_push_q <= n_push_q + 8'(push);
      n_pop_q  <= n_pop_q + 8'(pop);
    end
  end

  // The tagged push: index and data chosen by the solver, fixed for the whole trace.
  (* anyconst *) logic [7:0]       tag_idx;
  (* anyconst *) logic [WIDTH-1:0] tag_data;
  always_comb if (rst_ni && push && n_push_q == tag_idx) assume (in_data_i == tag_data);

  logic past_valid_q = 1'b0;
  logic stalled_q = 1'b0;
  logic [WIDTH-1:0] held_data_q;
  always_ff @(posedge clk_i) begin
    past_valid_q <= rst_ni;
    stalled_q    <= rst_ni && out_valid && !out_ready_i;
    held_data_q  <= out_data;
  end

  always_comb begin
    if (rst_ni && !init_q) begin
`ifndef INDUCTION
      // Nothing lost, nothing duplicated, nothing reordered: the pop of index tag_idx carries the tagged data
      // (bounded: checked for every index reachable within the BMC depth; it needs the memory contents, which
      // the wrapper cannot see, to be inductive).
      if (pop && n_pop_q == tag_idx && n_push_q > tag_idx) assert (out_data == tag_data);
`endif
      // The count is exactly what was pushed and not yet popped, never above DEPTH.
      assert (8'(count) == n_push_q - n_pop_q);
      assert (count <= CntW'(DEPTH));
      assert (in_ready == (count != CntW'(DEPTH)));
      assert (out_valid == (count != '0));
      // Handshake: while the consumer stalls, the head stays valid and unchanged.
      if (past_valid_q && stalled_q) begin
        assert (out_valid);
        assert (out_data == held_data_q);
      end
    end
  end
endmodule
