"""The assistant (LLM rerank and explanations, conversation, ``ask()``): see issue #3."""
