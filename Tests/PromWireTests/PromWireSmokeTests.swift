import Testing
import PromWire
