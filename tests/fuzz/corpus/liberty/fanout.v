module m(clk_i, y_o);
  input clk_i;
  output y_o;
  NAND2X1 _r_ (
    .A(clk_i),
    .B(clk_i),
    .Y(q)
  );
  NAND2X1 _g0_ (
    .A(q),
    .B(\u.x ),
    .Y(w0)
  );
  NAND2X1 _g1_ (
    .A(q),
    .B(\u.x ),
    .Y(w1)
  );
  NAND2X1 _g2_ (
    .A(q),
    .B(\u.x ),
    .Y(w2)
  );
  NAND2X1 _g3_ (
    .A(q),
    .B(\u.x ),
    .Y(w3)
  );
  NAND2X1 _g4_ (
    .A(q),
    .B(\u.x ),
    .Y(w4)
  );
  NAND2X1 _g5_ (
    .A(q),
    .B(\u.x ),
    .Y(w5)
  );
  NAND2X1 _g6_ (
    .A(q),
    .B(\u.x ),
    .Y(w6)
  );
  NAND2X1 _g7_ (
    .A(q),
    .B(\u.x ),
    .Y(w7)
  );
  NAND2X1 _g8_ (
    .A(q),
    .B(\u.x ),
    .Y(w8)
  );
  NAND2X1 _g9_ (
    .A(q),
    .B(\u.x ),
    .Y(w9)
  );
  NAND2X1 _g10_ (
    .A(q),
    .B(\u.x ),
    .Y(w10)
  );
  NAND2X1 _g11_ (
    .A(q),
    .B(\u.x ),
    .Y(w11)
  );
  NAND2X1 _g12_ (
    .A(q),
    .B(\u.x ),
    .Y(w12)
  );
  NAND2X1 _g13_ (
    .A(q),
    .B(\u.x ),
    .Y(w13)
  );
  NAND2X1 _g14_ (
    .A(q),
    .B(\u.x ),
    .Y(w14)
  );
  NAND2X1 _g15_ (
    .A(q),
    .B(\u.x ),
    .Y(w15)
  );
  NAND2X1 _g16_ (
    .A(q),
    .B(\u.x ),
    .Y(w16)
  );
  NAND2X1 _g17_ (
    .A(q),
    .B(\u.x ),
    .Y(w17)
  );
  NAND2X1 _g18_ (
    .A(q),
    .B(\u.x ),
    .Y(w18)
  );
  NAND2X1 _g19_ (
    .A(q),
    .B(\u.x ),
    .Y(w19)
  );
endmodule
