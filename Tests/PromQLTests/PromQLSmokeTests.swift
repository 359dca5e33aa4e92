import Testing
import PromQL
