// hw_fifo — small synchronous FIFO with valid/ready on both sides (registered storage, head visible
// combinationally). Used where a fixed-latency SRAM read feeds a consumer that may stall: the producer issues a
// read only while count_o plus the reads in flight stay below DEPTH, so nothing is ever dropped.
//
// Contract: a push happens when in_valid_i && in_ready_o, a pop when out_valid_o && out_ready_i; both may happen in
// one cycle. in_ready_o is low only when DEPTH words are stored.
module hw_fifo #(
  parameter int unsigned WIDTH = 8,
  parameter int unsigned DEPTH = 4   // power of two, >= 2
) (
  input  logic             clk_i,
  input  logic             rst_ni,
  input  logic             in_valid_i,
  output logic             in_ready_o,
  input  logic [WIDTH-1:0] in_data_i,
  output logic             out_valid_o,
  input  logic             out_ready_i,
  output logic [WIDTH-1:0] out_data_o,
  output logic [CntW-1:0]  count_o
);
  localparam int unsigned PtrW = $clog2(DEPTH);
  localparam int unsigned CntW = PtrW + 1;
  if (DEPTH < 2 || (DEPTH & (DEPTH - 1)) != 0) begin : gen_check_depth
    $error("hw_fifo: DEPTH must be a power of two, at least 2");
  end

  logic [WIDTH-1:0] mem_q [DEPTH];
  logic [PtrW-1:0]  rd_ptr_q, wr_ptr_q;
  logic [CntW-1:0]  count_q;
  logic             push, pop;

  assign in_ready_o  = count_q != CntW'(DEPTH);
  assign out_valid_o = count_q != '0;
  assign out_data_o  = mem_q[rd_ptr_q];
  assign count_o     = count_q;
  assign push        = in_valid_i && in_ready_o;
  assign pop         = out_valid_o && out_ready_i;

  always_ff @(posedge clk_i) begin
    if (push) mem_q[wr_ptr_q] <= in_data_i;
  end

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      rd_ptr_q <= '0;
      wr_ptr_q <= '0;
      count_q  <= '0;
    end else begin
      if (push) wr_ptr_q <= wr_ptr_q + PtrW'(1);
      if (pop)  rd_ptr_q <= rd_ptr_q + PtrW'(1);
      count_q <= count_q + CntW'(push) - CntW'(pop);
    end
  end

`ifdef FORMAL
  // Invariants for the k-induction proof (verif/formal/fifo_formal.sv): the pointers are count_q apart, and
  // count_q never exceeds DEPTH.
  always_comb begin
    if (rst_ni) begin
      assert (PtrW'(wr_ptr_q - rd_ptr_q) == count_q[PtrW-1:0]);
      assert (count_q <= CntW'(DEPTH));
    end
  end
`endif
endmodule
