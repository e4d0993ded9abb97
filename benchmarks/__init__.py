"""Speed, memory and quality measurements with committed results."""
