// hw_core_requant_feeder — the one requantizer of hw_core: picks this instruction's accumulator source, reads its
// parameters from the requant ROM, requantizes (hw_requant) and saturates to the instruction's result width.
//
// Sources: MATVEC: the GEMM serializer (parameters per output channel, word rq_base + index); PV where V = 1: the
// attention unit's accumulators, one per cycle; EMBED, SWIGLU: the MAC's sums (one parameter word, rq_base). Every source presents at most one
// value per cycle and is never stalled (the result consumers always accept). Latency: 1 cycle (ROM read) + 2
// (hw_requant); out_valid_o for one cycle with out_o = sat_{out_bits}(requant(acc)) (numerics §3; the 32-bit
// requant then saturating is exact because sat_b(sat_32(v)) = sat_b(v)).
// In SETUP (no value in flight: the previous instruction has written all its results) the ROM reads word rq_base_i,
// which param_o then holds for the instruction's lane units (hw_core_elementwise: EMBED, SWIGLU; hw_core_attention:
// SCORES, PV) until a value comes.
module hw_core_requant_feeder #(
  parameter int unsigned ACC_W     = 32,  // GEMM accumulators
  parameter int unsigned MAC_ACC_W = 40,  // MAC and attention accumulators
  parameter int unsigned RQ_ACC_W  = 40,  // requantizer input: max(ACC_W, MAC_ACC_W)
  parameter int unsigned RQ_DEPTH  = 1024,
  parameter              RQ_FILE   = "mem/requant.hex"
) (
  input  logic                        clk_i,
  input  logic                        rst_ni,
  input  logic                        setup_i,     // an instruction is set up: its word rq_base_i is read (param_o)
  input  logic                        matvec_i,
  input  logic                        pv_i,
  input  logic [31:0]                 rq_base_i,
  input  logic [5:0]                  out_bits_i,
  input  logic                        matvec_valid_i,
  input  logic signed [ACC_W-1:0]     matvec_acc_i,
  input  logic [31:0]                 matvec_index_i,
  input  logic                        pv_valid_i,
  input  logic signed [MAC_ACC_W-1:0] pv_acc_i,
  input  logic                        mac_valid_i,
  input  logic signed [MAC_ACC_W-1:0] mac_acc_i,
  output logic                        out_valid_o,
  output logic [31:0]                 out_o,
  output logic [39:0]                 param_o      // the last word read: rq_base_i's from SETUP until a value comes
);
  localparam int unsigned AddrW = (RQ_DEPTH > 1) ? $clog2(RQ_DEPTH) : 1;
  if (RQ_ACC_W < ACC_W || RQ_ACC_W < MAC_ACC_W || RQ_ACC_W > 64) begin : gen_check_acc
    $error("hw_core_requant_feeder: need max(ACC_W, MAC_ACC_W) <= RQ_ACC_W <= 64");
  end

  logic                       valid;
  logic signed [RQ_ACC_W-1:0] acc, acc_q;
  logic [31:0]                addr;
  logic                       valid_q;
  logic [39:0]                param;
  logic                       requant_in_ready_unused;
  logic signed [31:0]         y;

  always_comb begin
    if (matvec_i) begin
      valid = matvec_valid_i;
      acc   = RQ_ACC_W'(matvec_acc_i);
      addr  = rq_base_i + matvec_index_i;
    end else if (pv_i) begin
      valid = pv_valid_i;
      acc   = RQ_ACC_W'(pv_acc_i);
      addr  = rq_base_i;
    end else begin
      valid = mac_valid_i;
      acc   = RQ_ACC_W'(mac_acc_i);
      addr  = rq_base_i;
    end
  end

  // Requant ROM: {rshift[36:31], mult[30:0]} per word.
  hw_sram #(.WIDTH(40), .DEPTH(RQ_DEPTH), .INIT_FILE(RQ_FILE)) u_params (
    .clk_i, .we_i(1'b0), .waddr_i('0), .wdata_i('0), .wbe_i('0),
    .re_i(valid || setup_i), .raddr_i(AddrW'(setup_i ? rq_base_i : addr)), .rdata_o(param));
  assign param_o = param;

  always_ff @(posedge clk_i or negedge rst_ni) begin
    if (!rst_ni) valid_q <= 1'b0;
    else         valid_q <= valid;
  end
  always_ff @(posedge clk_i) acc_q <= acc;

  hw_requant #(.ACC_W(RQ_ACC_W), .OUT_W(32)) u_requant (
    .clk_i, .rst_ni,
    .in_valid_i(valid_q), .in_ready_o(requant_in_ready_unused), .acc_i(acc_q),
    .mult_i(param[30:0]), .rshift_i(param[36:31]),
    .out_valid_o(out_valid_o), .out_ready_i(1'b1), .y_o(y));
  assign out_o = hw_core_pkg::sat_to({y[31], y}, out_bits_i);

  logic unused;
  assign unused = ^{requant_in_ready_unused, param[39:37], addr[31:AddrW], rq_base_i[31:AddrW]};
endmodule
