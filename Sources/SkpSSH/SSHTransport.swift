import SkpKit
