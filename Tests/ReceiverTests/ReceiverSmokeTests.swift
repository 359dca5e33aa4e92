import Testing
import Receiver
