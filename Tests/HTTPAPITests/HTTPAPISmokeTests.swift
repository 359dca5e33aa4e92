import Testing
import HTTPAPI
