// ====================================================================================================
// hardwire 0.1.0 - generated file, do not edit.
// Regenerate: hardwire generate --model tiny --array 8x8 --weight-port 64 --sram-bank-depth 4096 --out DIR  (DIR: the directory holding this file)
// Model: tiny (dim 32, hidden 96, layers 2, heads 4 (kv 2), vocab 100, seq 64)
// Array 8x8, widths res=16,xn=16,q=16,k=16,v=16,att=16,gate=16,up=16,h=16
// Configuration package (generated from the chip plan).
// ====================================================================================================
// Constants of this model and this accelerator configuration (the chip plan; manifest.json has the same data).
package hardwire_cfg_pkg;
  // model shape
  localparam int unsigned Dim              = 32;
  localparam int unsigned HiddenDim        = 96;
  localparam int unsigned NumLayers        = 2;
  localparam int unsigned NumHeads         = 4;
  localparam int unsigned NumKvHeads       = 2;
  localparam int unsigned HeadSize         = 8;
  localparam int unsigned Vocab            = 100;
  localparam int unsigned SeqLen           = 64;
  // activation widths per site (docs/numerics.md §1)
  localparam int unsigned ResW             = 16;
  localparam int unsigned XnW              = 16;
  localparam int unsigned QW               = 16;
  localparam int unsigned KW               = 16;
  localparam int unsigned VW               = 16;
  localparam int unsigned AttW             = 16;
  localparam int unsigned GateW            = 16;
  localparam int unsigned UpW              = 16;
  localparam int unsigned HW               = 16;
  // array R x C
  localparam int unsigned ArrayRows        = 8;
  localparam int unsigned ArrayCols        = 8;
  // weight banks read every cycle (multiplier rows of the matrix engine)
  localparam int unsigned WeightPortRows   = 8;
  // weight port: weights (codes) read per cycle
  localparam int unsigned WeightPortBytes  = 64;
  // weight code width (numerics §2)
  localparam int unsigned WeightBits       = 8;
  // matrix-engine input words per group scale (0: none)
  localparam int unsigned WeightGroupWords = 0;
  // unsigned codes with a zero point per group (numerics §2)
  localparam int unsigned WeightZeroPoint  = 0;
  // group-scale ROM words of ArrayCols entries (0: none)
  localparam int unsigned GroupScaleWords  = 0;
  // array activation width: the widest matmul input
  localparam int unsigned ActW             = 16;
  // array accumulator width: the widest accumulator bound (numerics §4)
  localparam int unsigned AccW             = 30;
  // largest reduction (matrix columns)
  localparam int unsigned KMax             = 96;
  // largest output (matrix rows)
  localparam int unsigned NMax             = 100;
  // words of ArrayCols codes in every weight bank
  localparam int unsigned WeightWords      = 436;
  // words per macro of a weight bank (0: one macro)
  localparam int unsigned WeightBankDepth  = 0;
  // weight memory map: first word of each matrix
  localparam int unsigned WBaseL0_wq       = 0;
  localparam int unsigned WBaseL0_wk       = 16;
  localparam int unsigned WBaseL0_wv       = 24;
  localparam int unsigned WBaseL0_wo       = 32;
  localparam int unsigned WBaseL0_w1       = 48;
  localparam int unsigned WBaseL0_w3       = 96;
  localparam int unsigned WBaseL0_w2       = 144;
  localparam int unsigned WBaseL1_wq       = 192;
  localparam int unsigned WBaseL1_wk       = 208;
  localparam int unsigned WBaseL1_wv       = 216;
  localparam int unsigned WBaseL1_wo       = 224;
  localparam int unsigned WBaseL1_w1       = 240;
  localparam int unsigned WBaseL1_w3       = 288;
  localparam int unsigned WBaseL1_w2       = 336;
  localparam int unsigned WBasecls         = 384;
  // accelerator core (hw_core): KV-cache word lanes (16-bit), whole KV heads
  localparam int unsigned AttLanes         = 16;
  // query heads per KV-cache word (attention results per score beat)
  localparam int unsigned AttQHeads        = 4;
  // KV port: bytes of the KV cache read per cycle
  localparam int unsigned KvPortBytes      = 32;
  // attention / SwiGLU / embedding accumulator width
  localparam int unsigned MacAccW          = 35;
  // softmax exp-sum elements per cycle (per head)
  localparam int unsigned SoftmaxSumLanes  = 4;
  // RMSNorm root digits and quotient bits per cycle
  localparam int unsigned NormSteps        = 4;
  // requantizer input width
  localparam int unsigned RqAccW           = 35;
  // RoPE unit width: max(q, k)
  localparam int unsigned RopeW            = 16;
  // activation scratchpad, 32-bit words
  localparam int unsigned ScratchWords     = 584;
  // KV-cache words per position: NumKvHeads x HeadSize / AttLanes
  localparam int unsigned KvRowWords       = 1;
  // KV-cache words per position of a layer: its K row, then its V row
  localparam int unsigned KvPosWords       = 2;
  // KV cache words of AttLanes x 16 bits: per layer and position, the K row then the V row
  localparam int unsigned KvWords          = 256;
  // embedding SRAM words of ArrayCols bytes
  localparam int unsigned EmbWords         = 400;
  localparam int unsigned EmbWordsPerRow   = 4;
  localparam int unsigned RequantWords     = 106;
  // scratchpad elements per word; results of the matrix engine per cycle
  localparam int unsigned VectorLanes      = 8;
  // vector requant ROM words (VectorLanes channels each; 0: none)
  localparam int unsigned RqVecWords       = 93;
  // vector requant ROM bits per channel ({out_bits, rshift, mult})
  localparam int unsigned RqVecLaneBits    = 48;
  localparam int unsigned NormWords        = 5;
  // microcode instructions per decode step
  localparam int unsigned ProgramWords     = 33;
  // memory images (weights: the prefix of mem/weights_p<bank>[_bank<macro>].hex)
  localparam WeightImage                   = "mem/weights";
  localparam GroupScaleImage               = "";
  localparam Exp2Image                     = "mem/exp2.hex";
  localparam EmbImage                      = "mem/embedding.hex";
  localparam RequantImage                  = "mem/requant.hex";
  localparam RqVecImage                    = "mem/requant_vec.hex";
  localparam NormImage                     = "mem/norms.hex";
  localparam SiluImage                     = "mem/silu.hex";
  localparam RopeCosImage                  = "mem/rope_cos.hex";
  localparam RopeSinImage                  = "mem/rope_sin.hex";
  localparam ProgramImage                  = "mem/program.hex";
endpackage
