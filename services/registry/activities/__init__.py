"""Activities a space runs (培训、沙龙、讲座、训练营、路演、辅导) with their attendance (人次)."""
