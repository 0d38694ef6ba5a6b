"""Optional language-model mode: plain-language synthesis checked against its citations.

Off unless SRO_LLM is set. The model sees only numbered passages; every sentence it writes
is verified against the passages it cites, and the extractive answer is the fallback.
"""
