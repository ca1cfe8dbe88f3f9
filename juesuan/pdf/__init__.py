"""Reading pages (chars with boxes, ruling lines, words) behind one small interface; arrives with issue #3."""
