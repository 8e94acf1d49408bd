// ====================================================================================================
// hardwire 0.1.0 - generated file, do not edit.
// Regenerate: hardwire generate --model verif/models/odd48.json --array 4x8 --weight-port 32 --sram-bank-depth 4096 --out DIR  (DIR: the directory holding this file)
// Model: odd48 (dim 48, hidden 136, layers 3, heads 6 (kv 2), vocab 250, seq 40)
// Array 4x8, widths res=16,xn=16,q=16,k=8,v=16,att=16,gate=8,up=16,h=16
// Top level (generated): the whole accelerator for this model.
// ====================================================================================================
// The accelerator for this model: hw_core with every weight in on-chip SRAM (mem/weights*,
// mem/embedding.hex), the KV cache on chip and the decode step as microcode (mem/program.hex).
// Host: (token, pos) in; vocab int32 logits (out_lanes_o per beat), then the argmax token (out_last_o)
// out.
module hwc_top (
  input  logic         clk_i,
  input  logic         rst_ni,
  input  logic         in_valid_i,      // one decode step per request
  output logic         in_ready_o,
  input  logic [7:0]   in_token_i,
  input  logic [5:0]   in_pos_i,
  output logic         out_valid_o,     // logits, then the argmax token
  input  logic         out_ready_i,
  output logic [255:0] out_data_o,
  output logic [3:0]   out_lanes_o,
  output logic         out_last_o,
  output logic         busy_o,          // status and debug taps
  output logic [5:0]   pc_o,
  output logic         dbg_res_valid_o,
  output logic [5:0]   dbg_oldest_pc_o, // the oldest instruction in flight (cycles are charged to it)
  output logic [5:0]   dbg_res_pc_o,    // the instruction whose results these are
  output logic [31:0]  dbg_res_idx_o,
  output logic [3:0]   dbg_res_lanes_o,
  output logic [255:0] dbg_res_data_o,
  output logic         dbg_aux_valid_o, // attention scores: position, first head, values
  output logic [31:0]  dbg_aux_pos_o,
  output logic [31:0]  dbg_aux_head_o,
  output logic [191:0] dbg_aux_data_o,
  output logic         dbg_prob_valid_o, // probabilities PV takes: likewise
  output logic [31:0]  dbg_prob_pos_o,
  output logic [31:0]  dbg_prob_head_o,
  output logic [191:0] dbg_prob_data_o,
  output logic         dbg_host_wait_o, // the chip waits for the host
  output logic [11:0]  dbg_ev_o         // activity events (hw_isa_pkg::Ev*)
);

  hw_core #(
    .W_ROWS(hardwire_cfg_pkg::WeightPortRows),
    .C(hardwire_cfg_pkg::ArrayCols),
    .W_BITS(hardwire_cfg_pkg::WeightBits),
    .W_GROUP_WORDS(hardwire_cfg_pkg::WeightGroupWords),
    .W_ZERO_POINT(hardwire_cfg_pkg::WeightZeroPoint),
    .GS_DEPTH(hardwire_cfg_pkg::GroupScaleWords),
    .A_W(hardwire_cfg_pkg::ActW),
    .ACC_W(hardwire_cfg_pkg::AccW),
    .K_MAX(hardwire_cfg_pkg::KMax),
    .N_MAX(hardwire_cfg_pkg::NMax),
    .W_DEPTH(hardwire_cfg_pkg::WeightWords),
    .W_BANK_DEPTH(hardwire_cfg_pkg::WeightBankDepth),
    .DIM(hardwire_cfg_pkg::Dim),
    .N_LAYERS(hardwire_cfg_pkg::NumLayers),
    .HEAD_SIZE(hardwire_cfg_pkg::HeadSize),
    .N_HEADS(hardwire_cfg_pkg::NumHeads),
    .N_KV_HEADS(hardwire_cfg_pkg::NumKvHeads),
    .LANES(hardwire_cfg_pkg::AttLanes),
    .VOCAB(hardwire_cfg_pkg::Vocab),
    .SEQ_LEN(hardwire_cfg_pkg::SeqLen),
    .RES_W(hardwire_cfg_pkg::ResW),
    .XN_W(hardwire_cfg_pkg::XnW),
    .GATE_W(hardwire_cfg_pkg::GateW),
    .ROPE_W(hardwire_cfg_pkg::RopeW),
    .MAC_ACC_W(hardwire_cfg_pkg::MacAccW),
    .SM_LANES(hardwire_cfg_pkg::SoftmaxSumLanes),
    .NORM_STEPS(hardwire_cfg_pkg::NormSteps),
    .RQ_ACC_W(hardwire_cfg_pkg::RqAccW),
    .SCRATCH_DEPTH(hardwire_cfg_pkg::ScratchWords),
    .KV_DEPTH(hardwire_cfg_pkg::KvWords),
    .EMB_DEPTH(hardwire_cfg_pkg::EmbWords),
    .EMB_WPR(hardwire_cfg_pkg::EmbWordsPerRow),
    .RQ_DEPTH(hardwire_cfg_pkg::RequantWords),
    .V_LANES(hardwire_cfg_pkg::VectorLanes),
    .RQV_DEPTH(hardwire_cfg_pkg::RqVecWords),
    .RQV_LANE_W(hardwire_cfg_pkg::RqVecLaneBits),
    .NORM_DEPTH(hardwire_cfg_pkg::NormWords),
    .PROG_DEPTH(hardwire_cfg_pkg::ProgramWords),
    .W_FILE(hardwire_cfg_pkg::WeightImage),
    .GS_FILE(hardwire_cfg_pkg::GroupScaleImage),
    .EMB_FILE(hardwire_cfg_pkg::EmbImage),
    .RQ_FILE(hardwire_cfg_pkg::RequantImage),
    .RQV_FILE(hardwire_cfg_pkg::RqVecImage),
    .NORM_FILE(hardwire_cfg_pkg::NormImage),
    .SILU_FILE(hardwire_cfg_pkg::SiluImage),
    .EXP2_FILE(hardwire_cfg_pkg::Exp2Image),
    .COS_FILE(hardwire_cfg_pkg::RopeCosImage),
    .SIN_FILE(hardwire_cfg_pkg::RopeSinImage),
    .PROG_FILE(hardwire_cfg_pkg::ProgramImage)
  ) u_core (
    .clk_i            (clk_i),
    .rst_ni           (rst_ni),
    .in_valid_i       (in_valid_i),
    .in_ready_o       (in_ready_o),
    .in_token_i       (in_token_i),
    .in_pos_i         (in_pos_i),
    .out_valid_o      (out_valid_o),
    .out_ready_i      (out_ready_i),
    .out_data_o       (out_data_o),
    .out_lanes_o      (out_lanes_o),
    .out_last_o       (out_last_o),
    .busy_o           (busy_o),
    .pc_o             (pc_o),
    .dbg_res_valid_o  (dbg_res_valid_o),
    .dbg_oldest_pc_o  (dbg_oldest_pc_o),
    .dbg_res_pc_o     (dbg_res_pc_o),
    .dbg_res_idx_o    (dbg_res_idx_o),
    .dbg_res_lanes_o  (dbg_res_lanes_o),
    .dbg_res_data_o   (dbg_res_data_o),
    .dbg_aux_valid_o  (dbg_aux_valid_o),
    .dbg_aux_pos_o    (dbg_aux_pos_o),
    .dbg_aux_head_o   (dbg_aux_head_o),
    .dbg_aux_data_o   (dbg_aux_data_o),
    .dbg_prob_valid_o (dbg_prob_valid_o),
    .dbg_prob_pos_o   (dbg_prob_pos_o),
    .dbg_prob_head_o  (dbg_prob_head_o),
    .dbg_prob_data_o  (dbg_prob_data_o),
    .dbg_host_wait_o  (dbg_host_wait_o),
    .dbg_ev_o         (dbg_ev_o)
  );
endmodule
