"""Video data: clip samplers, decoding and the paper's pipelines."""
