import Testing
import TSDB
