import './base.css';
import './project.css';
