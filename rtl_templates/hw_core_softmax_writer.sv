// hw_core_softmax_writer — stores hw_softmax's probabilities into the scratchpad, each row at the base its SCORES
// instruction queued, while later instructions run.
//
// A SCORES instruction may start when the softmax has a free row buffer and the row queue (4 entries) has room
// (row_free_o); its start (setup_i && scores_i && row_free_o) queues dst as the row base. Probabilities arrive in row
// order, one per cycle at most; each is written at base + t (we_o, addr_o, data_o), and a row's last frees its queue
// entry. drained_o: every queued row has been written.
// PV may start before that: the program pairs its PVs with its SCORES in order (PV number j of a layer reads the
// probabilities of SCORES number j, and every layer has as many of each), so the writer counts the rows it has
// written and the PVs started (pv_start_i); pv_row_ready_o: the row of the next PV is written. hold_i: a result takes
// the scratchpad's write port this cycle: no probability is written (the caller holds hw_softmax's output then).
module hw_core_softmax_writer (
  input  logic        clk_i,
  input  logic        rst_ni,
  input  logic        setup_i,
  input  logic        scores_i,
  input  logic [31:0] row_base_i,
  input  logic        softmax_in_ready_i,  // hw_softmax has a free row buffer
  output logic        row_free_o,
  output logic        drained_o,
  input  logic        pv_start_i,          // a PV starts
  output logic        pv_row_ready_o,      // the probabilities the next PV reads are written
  input  logic        hold_i,
  input  logic        prob_valid_i,
  input  logic        prob_last_i,
  input  logic [7:0]  prob_i,
  output logic        we_o,
  output logic [31:0] addr_o,
  output logic [31:0] data_o
);
  logic        queue_ready, queue_valid_unused, push, fire;
  logic [31:0] base, t_q, t_d, rows_q, pvs_q, ahead;
  logic [2:0]  queued;
  // A buffer is freed a few cycles before its row's last probability leaves, so both conditions are needed.
  assign row_free_o = softmax_in_ready_i && queue_ready;
  assign push       = setup_i && scores_i && row_free_o;
  hw_fifo #(.WIDTH(32), .DEPTH(4)) u_rows (
    .clk_i, .rst_ni,
    .in_valid_i(push), .in_ready_o(queue_ready), .in_data_i(row_base_i),
    .out_valid_o(queue_valid_unused), .out_ready_i(fire && prob_last_i), .out_data_o(base),
    .count_o(queued));

  assign fire = prob_valid_i && !hold_i;
  always_comb begin
    t_d = t_q;
    if (fire) t_d = prob_last_i ? '0 : t_q + 32'd1;
  end
  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) begin
      t_q    <= '0;
      rows_q <= '0;
      pvs_q  <= '0;
    end else begin
      t_q    <= t_d;
      rows_q <= rows_q + 32'(fire && prob_last_i);
      pvs_q  <= pvs_q + 32'(pv_start_i);
    end
  end
  // Rows written minus PVs started (modulo 2^32: both only count up, and a PV starts only when ahead > 0).
  assign ahead          = rows_q - pvs_q;
  assign pv_row_ready_o = ahead != '0 && !ahead[31];

  assign drained_o = queued == '0;
  assign we_o      = fire;
  assign addr_o    = base + t_q;
  assign data_o    = {24'd0, prob_i};

  logic unused;
  assign unused = queue_valid_unused;
endmodule
