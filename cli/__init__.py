"""cdkg — Community Duty Knowledge Graph (社区工作事项知识图谱)."""

__version__ = "0.1.0"
