import './base.css';
import './project.css';
import './score.css';
